"""What each figure of the post-mortem means, in the words of the people who read it."""

DEFINITIONS = (
    (
        "first negative surge",
        "the start of the first minute in which complaints rose clearly above normal, found by "
        "running the stored mentions through the detector again in the order they were posted",
    ),
    (
        "detected",
        "when warroom first raised the level to crisis (or to elevated, if it never reached "
        "crisis: the note says so)",
    ),
    ("declared", "when someone declared the incident"),
    (
        "first public response",
        "our first public answer: our first post during the incident when there is one; "
        "otherwise the first checked step that speaks to the public, such as the holding "
        "statement; otherwise the first draft marked published. The note says which",
    ),
    (
        "apology",
        "our first apology, found the same way: a post of ours that says sorry or apologises, "
        "else the checked apology step, else a published apology draft",
    ),
    (
        "reaction",
        "for each of our posts, the public's mentions in the 30 minutes after it compared with "
        "the 30 minutes before: how many there were and what share was negative (our own posts "
        "are not counted)",
    ),
    (
        "back to baseline",
        "the first minute after the peak when the share of negative mentions was back within "
        "its normal range (the usual share plus the margin the detector allows) and the level "
        "was back to normal",
    ),
    ("closed", "when someone closed the incident"),
    (
        "intervals",
        "time to detect runs from the surge to detected; to declare, from detected to declared; "
        "to respond, apologise and recover, from the surge (or from the declaration when no "
        "surge was found); open, from declared to closed",
    ),
    (
        "steps",
        "on time: checked before its deadline (the declaration plus the minutes the playbook "
        "gives it); late: checked after it; skipped: still unchecked at the close; not due: its "
        "deadline fell after the close; open: the incident is still open; not applicable: the "
        "step is for a level the incident never reached",
    ),
)
