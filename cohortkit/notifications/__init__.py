"""Notifications: ``OutboundEmail``, queuing an email once (``email_queue``, or rendered from
``templates/emails/<app>/`` by ``emails.email_queue_rendered``) and the worker that sends it."""
