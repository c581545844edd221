"""Pages of the community app: questions, conversations, the inbox and announcements."""
