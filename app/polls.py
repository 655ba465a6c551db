"""Predict, then reveal: a lecture room's question whose answers are a comparison's runs. Each member of the room votes
once; nobody sees the counts (the presenter included: the room's screen is everyone's) until the presenter reveals
them, which also closes the vote."""

import secrets
from dataclasses import dataclass, field

# what the page can check for itself once the runs have trained: the actual outcome, next to the votes
KINDS = ("lowest_cost", "highest_test_accuracy", "overfits_most")


class PollClosed(RuntimeError):  # noqa: N818 - reads as a sentence: raise PollClosed
    pass


class AlreadyVoted(RuntimeError):  # noqa: N818
    pass


class UnknownPoll(LookupError):  # noqa: N818
    pass


@dataclass
class Poll:
    id: str
    question: str
    answers: list[dict]  # [{"key", "name"}]: the comparison's runs, as the page names them
    kind: str | None = None  # one of KINDS: how the page finds the actual outcome; None: the question says
    revealed: bool = False
    votes: dict[str, str] = field(default_factory=dict)  # member id → answer key

    @classmethod
    def new(cls, question: str, answers: list[dict], kind: str | None) -> "Poll":
        return cls(secrets.token_hex(4), question, answers, kind)

    def vote(self, member: str, answer: str) -> None:
        if self.revealed:
            raise PollClosed(f"poll {self.id} is closed: its results are out")
        if answer not in {a["key"] for a in self.answers}:
            raise ValueError(f"{answer!r} is not one of this poll's answers")
        if member in self.votes:
            raise AlreadyVoted(f"you have voted already in poll {self.id} (one vote each)")
        self.votes[member] = answer

    def counts(self) -> dict[str, int]:
        counts = {a["key"]: 0 for a in self.answers}
        for answer in self.votes.values():
            counts[answer] += 1
        return counts

    def public(self) -> dict:
        """What every screen may see: the counts only once revealed, before that how many have voted."""
        return {**self.stored(), "votes": len(self.votes), "counts": self.counts() if self.revealed else None}

    def stored(self) -> dict:
        """What the room's record keeps (the votes have a table of their own)."""
        return {"id": self.id, "question": self.question, "answers": self.answers, "kind": self.kind,
                "revealed": self.revealed}  # fmt: skip

    def ballots(self) -> list[dict]:
        """Every vote, for the room's export: [{"member", "answer"}]."""
        return [{"member": member, "answer": answer} for member, answer in self.votes.items()]
