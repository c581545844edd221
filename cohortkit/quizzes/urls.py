from django.urls import path

from cohortkit.quizzes import views

app_name = "quizzes"

TAKE = "terms/<slug:slug>/quizzes/<int:quiz_id>/"
EDIT = "terms/<slug:slug>/organize/quizzes/<int:quiz_id>/"

urlpatterns = [
    path(TAKE, views.take, name="take"),
    path(f"{TAKE}submit/", views.submit, name="submit"),
    path(f"{TAKE}attempts/<int:number>/", views.attempt, name="attempt"),
    path(EDIT, views.edit, name="edit"),
    path(f"{EDIT}questions/", views.question_add, name="question_add"),
    path(f"{EDIT}questions/<int:question_id>/", views.question_save, name="question_save"),
    path(f"{EDIT}regrade/", views.regrade, name="regrade"),
]
