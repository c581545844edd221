"""Community: the program's public questions (FAQ), private conversations with the organizers
(the inbox), announcements to a term, and the organizers' daily digest."""
