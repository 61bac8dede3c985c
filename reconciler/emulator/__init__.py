"""A local Braze emulator: a real HTTP server speaking Braze's messaging API.

``braze-reconciler emulator`` runs it; ``server.EmbeddedEmulator`` runs it in a thread for
``--endpoint local`` and the tests. docs/emulator.md describes the admin API, the seed file,
the fault rules and every choice; the modules, one job each:

- ``app``: the HTTP pipeline (latency, 404/405/413, auth, JSON, rate limits, faults) around
- ``api``: the endpoints (request models, workspace rules, commit, documented answers),
  with ``checks`` (the rules needing the workspace or the clock) and ``broadcasts``;
- ``admin``: the ``/_emulator/`` routes; ``admin_client``: a client of them;
- ``workspace`` (seed files), ``store`` (SQLite), ``clock`` (virtual), ``limits``, ``faults``;
- ``runtime``: the state they share; ``protocol``: closing a connection without an answer;
- ``server``: configuration and running it.

Choices where Braze is silent (DESIGN.md section 9 fixes the first four):

- Unknown, deleted or fired ``schedule_id``, one of another kind, or one under another
  campaign or Canvas id: 400 ``Invalid schedule_id`` (``errors`` says which), a text of its
  own (``checks.OWN_MESSAGES``), which the client never depends on alone.
- What Braze's docs do not forbid is accepted (the request models keep it as a finding): a
  field they do not document, ``in_local_time`` and ``at_optimal_time`` both true (local time
  wins), an Android or Kindle ``priority`` outside -2..2.
- A UTC time at or before now: 400 ``Bad Request``. A local or optimal time past in every
  zone: 400. A local time already reached in some zones but not all is accepted.
- Updating a local-time (or optimal-time) schedule that has started in some zone: 201
  success, ignored (history ``update_ignored``). For Canvases too, though Braze documents it
  for campaigns only.
- Deleting a started local-time schedule: 201 success, status ``deleted``, history
  ``delete_partial`` (the zones already reached got it; the rest are cancelled).
- An update replaces ``schedule`` (and ``messages``) whole; the result is validated again as
  a create body, so the create's rules (variants of the tracking campaign...) still hold.
- A schedule is ``sent`` when the last instant of its send window has passed (the instant;
  +12 h for local time; the end of the date +12 h for optimal time). Firing is final:
  setting the clock back does not undo it.
- A paused or archived Canvas (with API-triggered entry): success with Braze's ``notice``;
  the schedule is kept (updates and deletes work) but never sends (history ``fire_skipped``).
- Messages of ours where Braze documents none: ``Invalid Canvas ID``, ``Invalid segment_id``,
  ``Invalid app_id``, ``Invalid subscription_group_id``, ``Invalid send_id``.
- ``send_id`` must have been created for the same campaign (so ``/messages/*`` need
  ``campaign_id`` with it); ``/sends/id/create`` takes API and API-triggered campaigns,
  generates an id when none is given, and answers success again for an existing pair, which
  spends nothing of the 100 a day (they count created pairs). A broadcast with a campaign
  answers a generated ``send_id`` (Braze's send analytics page).
- The 90-day horizon is not enforced. ``202 queued`` is never answered.
- The listing's ``end_time`` is cut at midnight UTC of the date written, inclusive; query
  parameters it does not know are ignored.
"""
