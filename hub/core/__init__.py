"""The domain core: the hub's rules. It imports no Flask, Socket.IO or APScheduler (a test enforces this).

Where a rule lives, by what it is about:

- who may do what: ``access`` (roles and scope), ``accounts`` (deactivation), ``sessions``, ``throttle``;
- who is registered: ``organisations``, ``users``, ``tokens``;
- directives and their deliveries: ``directives``, ``audiences``, ``deliveries``, ``receipts``, ``signing``,
  ``directive_payload`` (what platforms receive and what is signed), ``questions`` (clarifications),
  ``directive_templates`` (duplicates and templates), ``bulk`` (one action, many deliveries);
- what platforms and readers see: ``inbox`` (a platform's), ``progress`` (an issuer's follow-through),
  ``dashboard`` (a manager's figures), ``directive_filter`` (which directives a list or a figure is about),
  ``platforms`` (one platform's cursor, record and history), ``timeline`` (who acted and on which platform, in
  names);
- deadlines: ``sweep`` (what runs on a schedule) in batches (``sweep_batch``) of ``reminders`` and
  ``escalations``, under ``reminder_policy``; ``rectifications`` (notices sent by hand);
- ratio reports: ``ratio_reports`` (a platform's figures) and ``report_requests`` (the monthly request);
- the record: ``log`` (the hash chain and its reading), ``checkpoints``, ``delivery_audit``, ``leases``;
- shared vocabulary: ``errors``, ``paging``, ``limits``.
"""
