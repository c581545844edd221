"""Certificates: issuing a signed certificate to who completed, its public verification page,
PDF and credential, revoking; the term page's finishing links (``certificates_tags``)."""
