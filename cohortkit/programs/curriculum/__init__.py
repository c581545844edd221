"""A term's curriculum as a YAML file: parse it (``parsing``), make it the term's (``applying``,
all or nothing) and write it back out (``exporting``).

The format::

    tracks:                       # optional; tracks are matched by slug, created or updated
      - slug: intro               # required, a slug (letters, digits, - and _)
        name: Introductory        # required
        audience: For people …    # optional: who the track is for
    weeks:                        # required
      - number: 1                 # required, 1 … the term's number of weeks, each number once
        title: Background         # required
        summary: …                # optional
        lectures:                 # each list is optional
          - title: Introduction   # every item: title (required) and tracks (optional list of
            tracks: [intro]       # track slugs; without it the item belongs to every track)
            module: Background    # optional
            video_url: https://…  # optional
            minutes: 25           # required, a whole number ≥ 1
        readings:
          - title: …
            url: https://…        # required
            minutes: 40           # required
            required: true        # optional, default true
        assignments:
          - title: …
            prompt: …             # required
            minutes: 90           # required
            due_days_after_week_start: 6   # optional, default 6
        quizzes:
          - title: …
            description: …        # optional
            minutes: 10           # optional, default 10
        discussion_guides:
          - title: …
            body: …               # required: notes for facilitators

Every problem is reported with its line and the path of the field, e.g.
``line 14: weeks[2].readings[0].minutes: must be a whole number of minutes ≥ 1, got "ten"``
(list indexes count from 0). Nothing is written unless the whole file is valid.

Importing makes the term's weeks and items exactly those of the file. Weeks are matched by number
and items by their kind and place in the week, so an item that stays where it was keeps its
identity (and whatever later refers to it); weeks and items the file no longer has are deleted.
Tracks are never deleted by an import, since sections and enrollments point at them.
"""
