from django.contrib import admin

from cohortkit.quizzes.models import Attempt, Question, Regrade


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["prompt", "quiz", "kind", "points", "position"]
    list_filter = ["kind"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin[Attempt]):
    list_display = ["quiz", "user", "number", "score", "max_score", "is_late", "submitted_at"]
    list_filter = ["is_late"]
    readonly_fields = ["submit_token", "due_at", "due_source"]


@admin.register(Regrade)
class RegradeAdmin(admin.ModelAdmin[Regrade]):
    list_display = ["quiz", "created_at", "attempts_checked", "attempts_changed", "actor"]
