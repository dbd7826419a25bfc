"""E-mail: the SMTP side (``smtp``), writing each mail in its reader's language (``compose``) and the job that drains
the outbox (``dispatcher``). Who gets what is decided in ``hub.core.mail_notices``."""
