from django.contrib import admin

from cohortkit.programs.models import (
    Assignment,
    DiscussionGuide,
    Lecture,
    Program,
    Quiz,
    Reading,
    Term,
    Track,
    Week,
)


class TrackInline(admin.TabularInline[Track, Term]):
    model = Track
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin[Program]):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Term)
class TermAdmin(admin.ModelAdmin[Term]):
    list_display = ["name", "program", "slug", "starts_on", "ends_on", "is_published"]
    list_filter = ["program", "is_published"]
    inlines = [TrackInline]


@admin.register(Week)
class WeekAdmin(admin.ModelAdmin[Week]):
    list_display = ["term", "number", "title"]
    list_filter = ["term"]


for model in (Lecture, Reading, Assignment, Quiz, DiscussionGuide):
    admin.site.register(
        model, list_display=["title", "week", "position"], list_filter=["week__term"]
    )
