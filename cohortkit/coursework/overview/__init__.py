"""The organizers' term overview: attendance and submission rates per week, by section and by
track; the people at risk; and the attendance and grades of every participant as CSV.

The page (``page``) has the database count: ``counting`` groups attendance and submissions by
track and by section and finds who is at risk, and only one page of sections and of people at
risk is read and shown (``cohortkit.common.tables``), so the page costs the same at ten thousand
people as at ten. ``rates`` holds the counts, ``at_risk`` the rows of people at risk and their
emails, ``charts`` the SVG geometry. The CSV files (``exports``) still have every row: they read
``queries.term_facts`` (the term's rows in a fixed number of queries) and stream their lines.

The same definitions hold on the page, in the charts and in the CSV files:

- **Attendance rate**: present / (present + absent), at the meetings that have started. An
  apology without a record counts as excused, as on the attendance sheet; excused people are
  shown on their own, outside the rate, and so are people expected at a meeting that has started
  who have no record yet ("not recorded").
- **People due** for an assignment: the members of a section (in the assignment's week) whose
  track sees it, once their own due date (``due.py``'s precedence: personal extension, section,
  term) has passed. Of them, *on time* handed in a version by their due date, *late* only after
  it, and *missing* have no submitted version. Submission rate: on time and late / due.
- **At risk**: two or more absences (or a two-misses alert), or two or more missing assignments.
"""
