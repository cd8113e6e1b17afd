"""E-mail: the letters (Jinja2 templates per language), the mail servers (SMTP, or none), the stores' identity."""
