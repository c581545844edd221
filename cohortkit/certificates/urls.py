from django.urls import path, re_path

from cohortkit.certificates import views

app_name = "certificates"

# Public ids are URL-safe base64: letters, digits, "-" and "_".
PUBLIC_ID = r"(?P<public_id>[A-Za-z0-9_-]{16,64})"

urlpatterns = [
    path("certificates/keys.json", views.key_set, name="keys"),
    re_path(rf"^certificates/{PUBLIC_ID}/$", views.certificate_detail, name="detail"),
    re_path(rf"^certificates/{PUBLIC_ID}\.json$", views.certificate_json, name="json"),
    re_path(rf"^certificates/{PUBLIC_ID}\.pdf$", views.certificate_pdf_view, name="pdf"),
    re_path(rf"^certificates/{PUBLIC_ID}/credential\.jwt$", views.credential, name="credential"),
    re_path(rf"^certificates/{PUBLIC_ID}/name/$", views.rename, name="rename"),
    re_path(rf"^certificates/{PUBLIC_ID}/withdraw/$", views.withdraw, name="withdraw"),
    re_path(rf"^certificates/{PUBLIC_ID}/revoke/$", views.revoke, name="revoke"),
    path("terms/<slug:slug>/certificate/", views.mine, name="mine"),
    path("terms/<slug:slug>/organize/certificates/", views.organize, name="organize"),
]
