from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from cohortkit.accounts import personal_data_views, two_factor_views, views
from cohortkit.accounts.forms import QueuedPasswordResetForm

app_name = "accounts"

# The account's own pages are under /accounts/; a term's people pages are the organizer's, under
# /terms/<slug>/organize/ like every other organizer page.
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", two_factor_views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/", two_factor_views.two_factor_settings, name="two_factor"),
    path(
        "accounts/two-factor/off/", two_factor_views.two_factor_disable, name="two_factor_disable"
    ),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.recovery_codes_replace,
        name="recovery_codes_replace",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/data/", personal_data_views.my_data, name="my_data"),
    path("accounts/delete/", personal_data_views.account_erase, name="account_erase"),
    path(
        "terms/<slug:slug>/organize/people/<int:user_id>/data/",
        personal_data_views.person_data,
        name="person_data",
    ),
    path(
        "terms/<slug:slug>/organize/people/<int:user_id>/erase/",
        personal_data_views.person_erase,
        name="person_erase",
    ),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=QueuedPasswordResetForm,
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("terms/<slug:slug>/organize/people/", views.term_invitations, name="term_invitations"),
    path("terms/<slug:slug>/organize/audit/", views.term_audit, name="term_audit"),
    path(
        "terms/<slug:slug>/organize/people/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "terms/<slug:slug>/organize/people/<int:user_id>/roles/<slug:role>/remove/",
        views.membership_revoke,
        name="membership_revoke",
    ),
    path(
        "terms/<slug:slug>/organize/people/<int:user_id>/unlock/",
        views.account_unlock,
        name="account_unlock",
    ),
]
