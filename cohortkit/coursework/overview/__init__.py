"""The organizers' term overview: attendance and submission rates per week, by section and by
track; the people at risk; and the attendance and grades of every participant as CSV.

``queries.term_facts`` reads the term's rows in a fixed number of queries, whatever the number
of sections, people and weeks; everything else here is arithmetic on what it read: ``rates``
(counts per week), ``at_risk`` (who organizers should check on), ``charts`` (SVG geometry),
``page`` (the overview page) and ``exports`` (the CSV files).

The same definitions hold on the page, in the charts and in the CSV files:

- **Attendance rate**: present / recorded, at the meetings that have started. Recorded counts
  present, absent and excused; an apology without a record counts as excused, as on the
  attendance sheet. Excused is also shown on its own, and people expected at a meeting that has
  started but have no record yet are counted as "not recorded", outside the rate.
- **People due** for an assignment: the members of a section (in the assignment's week) whose
  track sees it, once their own due date (``due.py``'s precedence: personal extension, section,
  term) has passed. Of them, *on time* handed in a version by their due date, *late* only after
  it, and *missing* have no submitted version. Submission rate: on time and late / due.
- **At risk**: two or more absences (or a two-misses alert), or two or more missing assignments.
"""
