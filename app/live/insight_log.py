"""A run's insight as its channel keeps it: the latest insight message, and a bounded history of the
per-layer norms, so that a watcher who joins mid-run sees the norms chart's past too."""

from app import messages

HISTORY_LIMIT = 500  # norm points kept per run; when full, every other one is dropped (the first stays)


class InsightLog:
    def __init__(self) -> None:
        self.latest_json: str | None = None
        self.history: list[list] = []  # [[epoch, [||W_l||, ...], [||dW_l||, ...]], ...], oldest first
        self.stride = 1  # keep one point in `stride`: doubles each time the history is thinned
        self.seen = 0

    def add(self, message_json: str, norms: list) -> None:
        self.latest_json = message_json
        if self.seen % self.stride == 0:
            self.history.append(norms)
            if len(self.history) > HISTORY_LIMIT:
                self.history = self.history[::2]
                self.stride *= 2
        self.seen += 1

    def for_new_watcher(self) -> str | None:
        """The latest insight message with the norms history in it, or None before the first report."""
        if self.latest_json is None:
            return None
        return self.latest_json[:-1] + ',"history":' + messages.dumps(self.history) + "}"
