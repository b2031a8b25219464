"""What a process reuses for a few seconds instead of reading it again: the wizard's questionnaires and pages.

Each entry is kept with the monotonic time it was read; a caller asks for the
entries younger than its setting's seconds. Saving what an entry came from
in this process forgets every entry at once (``forget_all``, connected to the
models' signals in ``LeadWizardConfig.ready``); other processes read it again
once their copy is older than the setting. At most ``max_entries`` are kept:
when full, the old entries go first, and if none is old, all of them.
"""

import threading


class KeptForAWhile:
    def __init__(self, max_entries):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries = {}  # key -> (value, monotonic time it was read)

    def fresh(self, keys, seconds, now):
        """The kept values of ``keys`` read less than ``seconds`` before ``now``, by key."""
        with self._lock:
            found = {key: self._entries.get(key) for key in keys}
        return {key: kept[0] for key, kept in found.items() if kept is not None and now - kept[1] < seconds}

    def keep(self, values, seconds, now):
        """Keep ``values`` (key -> value) as read at ``now``."""
        with self._lock:
            if len(self._entries) + len(values) > self.max_entries:
                for key in [key for key, (_value, read) in self._entries.items() if now - read >= seconds]:
                    del self._entries[key]
                if len(self._entries) + len(values) > self.max_entries:
                    self._entries.clear()
            self._entries.update((key, (value, now)) for key, value in values.items())

    def forget(self, key):
        with self._lock:
            self._entries.pop(key, None)

    def forget_all(self, **kwargs):
        """Drop every entry; a signal receiver too."""
        with self._lock:
            self._entries.clear()
