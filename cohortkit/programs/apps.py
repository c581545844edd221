from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "cohortkit.programs"
    label = "programs"

    def ready(self) -> None:
        from cohortkit.programs.copying import register_programs_parts
        from cohortkit.programs.staff_copying import register_staff_part

        register_programs_parts()
        register_staff_part()
