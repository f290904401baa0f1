"""The complaint layer: what VADER misses in customer complaints, as named cues with weights.

VADER reads general sentiment words. Customers complain in other words: time ("still", "on hold
for 2 hours"), failure ("never arrived", "can't log in"), demands ("refund", "fix this"),
sarcasm that VADER reads as praise ("thanks for nothing"), the brand's words quoted back at it
("still 'processing'") and questions that report a problem ("why is the app down again?").
Each cue below is a pattern with a weight on VADER's valence scale (a lexicon word is -4..+4)
and a reason a person can read. The scorer adds the weights of the cues that fired to VADER's
sum of valences and normalizes as VADER does, so VADER stays the scorer: a strongly positive
post stays positive, a neutral-reading complaint turns negative.
Posts that only inform (a question asking for information, a notice of planned work, news of
a launch) keep only a fraction of VADER's reading: their words name a topic, not a feeling.

Beside a problem, VADER's praise words count for half: they are mostly politeness, hope or how
things used to be ("it used to work fine").

The cues are written in words that hold across brands and industries; none names a product,
and they were tuned on development splits only: of benchmarks/data/brand_posts.jsonl and of a
real corpus of tweets to brands labelled complaint or not (see benchmarks/bench_sentiment.py,
and benchmarks/README.md for the figures on the held-out sets).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass

# VADER's normalization constant: compound = sum / sqrt(sum^2 + ALPHA).
ALPHA = 15.0
# The most the cues together move the sum: a rant of every cue is still one complaint.
MAX_SHIFT = 4.0

# A cue's words do not count when one of these comes just before them ("no more waiting",
# "never had to wait", "not stuck anymore").
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:no|not|never|without|zero|nothing|nobody|barely|hardly|only|may|might|could|"
    r"will)\b|n't|\bno one\b|"
    r"\bno more\b)\W+(?:\w+\W+)?(?:(?:a|an|any|the|single|one)\W+)?$"
)


@dataclass(frozen=True, slots=True)
class Cue:
    """One kind of complaint wording VADER misses."""

    name: str
    # waiting, failure, demand, quoting, sarcasm, question, reading or resolved; the cues that
    # mark information (plain, asking, notice, news) are searched apart, after these.
    kind: str
    weight: float  # added to VADER's sum of valences
    reason: str
    pattern: re.Pattern[str]
    negatable: bool = True  # skip a match that a negation just before it turns around
    # A "reading" cue changes what VADER reads: its words are replaced before VADER scores.
    replacement: str | None = None
    with_problem: bool = False  # counts only beside a waiting, failure or demand cue
    # Every match contains one of these (lower case): a post without any is not searched,
    # which keeps the layer cheap beside VADER. A test checks them against the patterns.
    anchors: tuple[str, ...] = ()
    replacer: re.Pattern[str] | None = None  # the pattern in any case, for the replacement


@dataclass(frozen=True, slots=True)
class FiredCue:
    """A cue found in a text: the cue and the words that matched, as written."""

    cue: Cue
    words: str

    @property
    def name(self) -> str:
        return self.cue.name

    @property
    def weight(self) -> float:
        return self.cue.weight

    @property
    def reason(self) -> str:
        return self.cue.reason


def _cue(
    name: str,
    kind: str,
    weight: float,
    reason: str,
    pattern: str,
    *,
    negatable: bool = True,
    replacement: str | None = None,
    with_problem: bool = False,
    anchors: tuple[str, ...],
) -> Cue:
    # Cues are searched in the lower-cased post: matching without IGNORECASE is faster.
    replacer = None if replacement is None else re.compile(pattern, re.IGNORECASE)
    return Cue(
        name,
        kind,
        weight,
        reason,
        re.compile(pattern),
        negatable,
        replacement,
        with_problem,
        anchors,
        replacer,
    )


_DURATION = (
    r"(?:\d+\+?|an?|one|two|three|four|five|six|several|many|few|couple(?: of)?)\s*"
    r"(?:hours?|hrs?|days?|weeks?|wks?|months?|mins?|minutes?)"
)
_LONG_DURATION = (
    r"(?:\d+\+?|an?|one|two|three|four|five|six|several|many|few|couple(?: of)?)\s*"
    r"(?:hours?|hrs?|days?|weeks?|wks?|months?)"
)
# Verbs a thing does when it works; "can't connect", "won't load", "not syncing" report a fault.
_WORKS = (
    r"(?:work|load|connect|log ?in|sign ?in|open|start|turn on|charge|let me|accept|go through|"
    r"process|send|pay|arrive|show up|update|sync|respond|unlock|book|order|cancel|refund|"
    r"deliver|reach|call|get through|find|check in|print|download|stream|play|install|take|stay|"
    r"get past|change|boot|power on|recogni[sz]e|register|save|pair|verify|reset|display|allow|"
    r"sign up|subscribe|activate|redeem|access|view|receive)"
)
_WORKING = (
    r"(?:working|loading|connecting|logging in|signing in|opening|starting|charging|accepting|"
    r"going through|processing|sending|paying|arriving|showing up|updating|syncing|responding|"
    r"unlocking|booking|ordering|refunding|delivering|streaming|playing|installing|powering on|"
    r"turning on|booting|saving|registering|pairing|printing|downloading)"
)

CUES: tuple[Cue, ...] = (
    # -- waiting and time ---------------------------------------------------------------------
    _cue(
        "still waiting",
        "waiting",
        -1.6,
        "still waiting, or still not done: a problem that has lasted",
        r"\bstill\s+[\"“]?(?:waiting|no\b|not\b|nothing\b|haven'?t|hasn'?t|can'?t|cannot|don'?t|"
        r"doesn'?t|isn'?t|aren'?t|won'?t|broken|down|stuck|missing|charging|getting|having|"
        r"buffering|loading|processing|pending|reviewing|investigating|says|showing|on hold|"
        r"no sign|unable|without|(?:the )?same (?:issue|problem|error|thing|after|since)|"
        r"the same\W*$|"
        r"(?:has|have|is|was|are|had) not|"
        r"(?:have |has )?yet to)",
        anchors=("still",),
    ),
    _cue(
        "on hold",
        "waiting",
        -1.6,
        "kept on hold or in a queue",
        r"\b(?:on hold|in (?:the |a )?queue|hold music|been holding)\b",
        anchors=("hold", "queue"),
    ),
    _cue(
        "long wait",
        "waiting",
        -1.2,
        "a wait counted in minutes, hours, days or weeks",
        rf"\b(?:(?:waited|waiting|wait(?:ing)? time|over|almost|nearly|since)\s+"
        rf"(?:\w+\s+)?{_DURATION}|(?:took|takes|taking|needs|needed)\s+"
        rf"(?!only|just|under|less|about)(?:\w+\s+)?{_LONG_DURATION}|"
        rf"since (?:yesterday|last (?:week|month|night)|(?:mon|tues|wednes|thurs|fri|satur|sun)"
        rf"day)|"
        rf"(?:takes?|took|taking|wait(?:ed|ing)?|load(?:s|ing)?|spinning|spins|buffering|"
        rf"circle|queue|hold) (?:\w+ )?forever)\b",
        anchors=(
            "forever",
            "wait",
            "over",
            "almost",
            "nearly",
            "since",
            "took",
            "take",
            "taking",
            "need",
        ),
    ),
    _cue(
        "no response",
        "waiting",
        -1.8,
        "no answer from the brand",
        r"\b(?:no (?:response|reply|answer|one (?:answers|picks up|is answering|gets back))|"
        r"not (?:answering|responding|replying|picking up|getting back)|"
        r"(?:ignor(?:ed|ing)) (?:all )?(?:my|our|me|us|every)|"
        r"(?:do|does|did)(?:n'?t| not) (?:even )?(?:reply|respond|answer|call (?:me |us )?back|"
        r"get back)|(?:heard|had|got) (?:nothing|not a (?:thing|word|peep))|"
        r"(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not|not|never) (?:yet )?(?:heard|had|"
        r"got|gotten|received|get) (?:back|(?:a|any|an) (?:response|reply|answer|call ?back)|"
        r"anything|a (?:thing|word|peep))|never (?:heard back|got (?:a )?(?:response|reply|"
        r"call ?back)|replied|responded|followed up|called (?:me )?back|got back)|"
        r"(?:nobody|no ?one) (?:answers|responds|replies|cares|has (?:replied|responded)))",
        negatable=False,
        anchors=(
            "no ",
            "not ",
            "ignor",
            "n't",
            "nt ",
            "never",
            "nobody",
            "noone",
            "nothing",
            "a thing",
            "a word",
            "a peep",
        ),
    ),
    _cue(
        "again",
        "waiting",
        -0.9,
        "the problem has happened before",
        r"\b(?:(?:down|broken|out|late|delayed|cancell?ed|crash(?:ed|ing)|failed|wrong|missing)"
        r"\s+again|again\?|yet again)\b",
        negatable=False,
        anchors=("again",),
    ),
    _cue(
        "again and again",
        "waiting",
        -0.9,
        "beside a problem, the count of times it has happened",
        r"\b(?:(?:second|third|fourth|fifth|2nd|3rd|4th|5th) time|"
        r"(?:\d+(?:st|nd|rd|th)?|two|three|four|five|second|third) (?:\w+ ){0,2}in a row)\b",
        negatable=False,
        with_problem=True,
        anchors=(" time", "in a row"),
    ),
    _cue(
        "chasing",
        "waiting",
        -1.0,
        "chases the brand: asks it to read a message already sent, or tried again and again",
        r"\b(?:(?:check|read|reply to|answer|respond to|look at|look into|see) (?:my|our|you|your) "
        r"(?:dms?|direct messages?|messages?|emails?|inbox|ticket|tweets?|complaint|case)|"
        r"(?:sent|send|messaged|emailed|dm'?d|dmed|contacted|called|rang) (?:you|them|\w+) "
        r"(?:\w+ ){0,2}(?:several|multiple|many|countless|so many|\d+|two|three|four|five) times|"
        r"(?:several|multiple|many|countless|so many|\d+|two|three|four|five) (?:attempts|"
        r"tries|calls|emails)(?: now| already| today| this week)?\W*$|"
        # trying to reach or get a thing done, not "trying to eat healthier"
        rf"(?:been|keep|kept|still|spent (?:\w+ ){{0,3}}) ?trying to (?:\w+ )?(?:{_WORKS}|get|"
        r"reach|contact|speak|talk|sort|claim|report|fix|settle|resolve|return)\b|"
        r"tried (?:again|everything|"
        r"all|several|multiple|many|\d+|twice|(?:\w+ )?times)|any (?:answer|update|reply|news|"
        r"response) (?:on|about|to|regarding) my)\b",
        anchors=(
            "check",
            "read",
            "reply",
            "answer",
            "respond",
            "look",
            "see ",
            "sent",
            "send",
            "messaged",
            "emailed",
            "dm",
            "contacted",
            "called",
            "rang",
            "times",
            "attempts",
            "tries",
            "calls",
            "emails",
            "trying",
            "tried",
            "any ",
        ),
    ),
    # -- failure ------------------------------------------------------------------------------
    _cue(
        "not working",
        "failure",
        -1.8,
        "something does not work",
        rf"\b(?:(?:(?:does|do|did|will|would|could)(?:n'?t| not)|won'?t|can'?t|cannot|"
        rf"(?:unable|not able) to)\s+(?:even\s+)?(?:seem to\s+(?:be\s+)?)?{_WORKS}s?|"
        rf"stopped\s+{_WORKING}|not working|(?:has|have)(?:n'?t| not) worked|never works?|"
        rf"nothing (?:works|worked|helps|helped|loads|changed)|"
        rf"nothing (?:happens|happened) (?:when|if|after|at all)|"
        rf"(?:is|are|was|were|'s|'re)(?:n'?t| not)\s+{_WORKING}|"
        rf"(?:has|have)(?:n'?t| not) (?:moved|changed|arrived|updated|come|shipped|"
        rf"been (?:fixed|sorted|delivered|refunded|resolved|processed))|"
        rf"(?:keeps?|kept) (?:crashing|failing|freezing|dropping|disconnecting|buffering|"
        rf"logging me out|cancell?ing|going (?:offline|down)|dropping out|cutting out|"
        rf"restarting|rebooting|turning off|switching off)|logged (?:me )?out)\b",
        negatable=False,
        anchors=(
            "n't",
            "nt ",
            "not",
            "unable",
            "stopped",
            "keep",
            "kept",
            "logged",
            "never",
            "nothing",
        ),
    ),
    _cue(
        "failed",
        "failure",
        -1.2,
        "a failure word customers use: cancelled, delayed, lost, stuck, declined, missing",
        r"\b(?:cancell?ed|cancell?ations?|delayed|stuck|declined|missing|"
        # lost a parcel, not lost weight
        r"lost(?! (?:\d+ ?(?:kg|lbs?|pounds|stone)|(?:some |the |a (?:bit|little) of )?weight))|"
        r"never (?:arrived|arrives?|came|showed|delivered|received|got|turned up)|"
        r"didn'?t (?:arrive|come|show)|wrong (?:order|item|size|address|charge|amount|bill)|"
        r"charged (?:twice|double|me twice|two times)|took (?:my|the) (?:\w+ ){1,2}twice|"
        r"double[- ]charged|overbooked|locked (?:out|me out)|(?:account|card) (?:is |was |got |"
        r"been )?(?:locked|suspended|closed|frozen|blocked|disabled)|out of stock|"
        r"error (?:code|message)|says error|(?:down|offline) for(?! (?:maintenance|planned|"
        r"scheduled|an? (?:upgrade|update)))|returned (?:it |my \w+ )?to (?:the )?sender|"
        r"(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not|not yet|still not) (?:\w+ )?"
        r"(?:received|recieved|gotten|got (?:my|the|our|a|any))|h(?:ung|angs?|anging) up on|"
        r"cut (?:me|us) off|disconnected (?:me|us)|yet to (?:receive|get|hear|see)|"
        r"(?:an?|\d+|two|three) (?:hours?|hrs?|mins?|minutes|days?|weeks?) late|(?:arrived|came|"
        r"turned up|showed up|got here) (?:\w+ )?(?:cold|late|damaged|broken|open|soaked|crushed)|"
        r"not getting (?:my|our|a|any)|(?:is|was|are|were|says?|said) (?:\w+ )?invalid|"
        r"no (?:progress|updates?|refund|sign of|info(?:rmation)?|explanation|apology|luck|joy|"
        r"idea why|way to|option to|longer (?:works?|working|available|able)))\b",
        anchors=(
            "cancel",
            "delay",
            "lost",
            "stuck",
            "declin",
            "missing",
            "never",
            "didn",
            "wrong",
            "charged",
            "twice",
            "overbook",
            "locked",
            "suspend",
            "closed",
            "frozen",
            "disabled",
            "stock",
            "error",
            "down for",
            "offline",
            "sender",
            "receiv",
            "reciev",
            "got",
            " up on",
            " off",
            "disconnected",
            "yet to",
            "late",
            "arrived",
            "came",
            "turned up",
            "showed up",
            "got here",
            "not getting",
            "invalid",
            "no ",
        ),
    ),
    _cue(
        "keeps happening",
        "failure",
        -1.2,
        "something keeps going wrong: it keeps telling, asking, charging",
        r"\b(?:(?:keeps?|kept) (?:on )?(?:telling|saying|showing|asking|giving|sending|kicking|"
        r"charging|happening|getting(?! (?:better|faster|easier|cheaper|bigger|more|even))|"
        r"coming up|popping up|failing|rejecting|declining|"
        r"cancell?ing|changing|resetting|losing|dropping)|every (?:single )?time (?:i|we) "
        r"(?:try|tried|call|called|log|click|ring))\b",
        negatable=False,
        anchors=("keep", "kept", "every"),
    ),
    _cue(
        "cannot",
        "failure",
        -1.0,
        "the customer cannot do what they came to do",
        # Not "can't wait", "can't recommend them enough", "can't go wrong": those are praise.
        # The adverb is taken whole (possessive), so "can't even believe" is not read as "can't
        # even" before "believe"; and not what "not working" already counts ("can't log in").
        r"(?<!you )\b(?:can'?t|cannot|couldn'?t|could not|unable to|not able to)\s+"
        r"(?:(?:even|really|ever|just|honestly)\s+)?+"
        rf"(?!{_WORKS}s?\b)"
        r"(?!wait|believe|stop|recommend|go wrong|beat|complain|fault|thank|get enough|live "
        r"without|imagine|help|say enough|praise|express|describe|tell you|lose|miss|resist|"
        r"find (?:a )?fault|remember|decide|choose|argue|deny|agree|disagree|be happier|"
        r"ask for|speak highly|overstate|have\b|get over|make it|make the|travel|attend|come|"
        r"join|be there|replace)[a-z]+",
        anchors=("n't", "nt ", "cannot", "could not", "unable", "not able"),
    ),
    _cue(
        "let down",
        "failure",
        -1.0,
        "what was supposed to happen did not",
        r"\b(?:(?:was|were) supposed to|(?<!as )promised (?:a|an|me|us|to)\b|"
        r"(?:didn'?t|did not|never) happen|(?<!i )(?<!we )(?<!you )should have (?:arrived|been|"
        r"come|called|got|received|had))\b",
        negatable=False,
        anchors=("supposed", "promised", "happen", "should have"),
    ),
    _cue(
        "promised",
        "failure",
        -1.0,
        "beside a problem, what the brand said would happen",
        r"\b(?:(?:is|are|it'?s|its) supposed to|(?:said|told (?:me|us)|promised) "
        r"(?:it|they|you|he|she|we|i) (?:would|will|'?d)|meant to (?:arrive|be here|"
        r"be delivered|come))\b",
        negatable=False,
        with_problem=True,
        anchors=("supposed", "said", "told", "promised", "meant"),
    ),
    _cue(
        "fault words",
        "failure",
        -1.2,
        "a fault VADER's lexicon lacks: an issue, a bug, a glitch, a crash, something ripped",
        # Not a magazine's issue ("the new issue is out") or an issue of shares or tickets.
        # An issue someone has, not an edition ("issue 42"), a topic ("the housing issue") or a
        # verb ("issue a statement").
        r"\b(?:(?:an|my|our|same|this|that|some|any|major|big|huge|known|technical|ongoing|"
        r"recurring|serious|having|had|have|has|facing|experiencing|reported) (?:\w+ ){0,3}?"
        r"issues?(?! \d)|issues? with|(?:the|other|these|those) issues? (?:is|was|are|were|on|"
        r"again|persists?|remains?|still)|(?:due to|because of) (?:\S+ ){0,2}issues|"
        r"bugs?(?! bount)|buggy|glitch(?:es|y)?|"
        r"crash(?:ed|es|ing)|ripped|cracked|torn|dented|smashed|scratched|leaking|overheat(?:s|ed|"
        r"ing)|flicker(?:s|ed|ing)?|bluescreens?|malfunction(?:s|ed|ing)?|unreliable|invalid)\b"
        r"(?! (?:of|between|reports?|bount(?:y|ies)|fix(?:es)?)\b)",
        anchors=(
            "issue",
            "bug",
            "glitch",
            "crash",
            "ripped",
            "cracked",
            "torn",
            "dented",
            "smashed",
            "scratched",
            "leaking",
            "overheat",
            "flicker",
            "bluescreen",
            "malfunction",
            "unreliable",
            "invalid",
        ),
    ),
    _cue(
        "vanished",
        "failure",
        -1.2,
        "the customer's money, points, files or booking disappeared",
        r"\b(?:money|points|balance|order|files?|photos?|data|messages?|history|credit|funds|"
        r"items?|account|booking|reservation|progress) (?:\w+ )?(?:has |have |just |all )?"
        r"(?:disappeared|vanished|gone missing|went missing|been (?:deleted|wiped)|"
        r"got (?:deleted|wiped))\b",
        anchors=("disappeared", "vanished", "missing", "deleted", "wiped"),
    ),
    _cue(
        "put off",
        "failure",
        -1.2,
        "a visit, a delivery or an appointment put off again and again",
        r"\b(?:rescheduled|postponed|pushed back|moved|changed|cancell?ed) "
        r"(?:twice|three times|\d+ times)\b",
        anchors=("twice", "times"),
    ),
    _cue(
        "charges",
        "failure",
        -1.2,
        "a charge the customer resents: a fee, a surcharge, a price or bill that went up",
        r"\b(?:hidden (?:fees?|charges?|costs?)|(?:service|late|overdraft|admin|booking|"
        r"cancellation|change|delivery|exit|transaction|processing|card) (?:fees?|charges?)|"
        r"surcharges?|surge pricing|price (?:hikes?|rises?|increases?)|(?:bills?|prices?|"
        r"premiums?|fees?|tariffs?) (?:\w+ )?(?:went up|gone up|going up|jumped|doubled|tripled|"
        r"increased|rose|risen|hiked)|(?:can'?t|cannot|couldn'?t) afford)\b",
        anchors=("fee", "charge", "cost", "surge", "price", "bill", "premium", "tariff", "afford"),
    ),
    _cue(
        "unreliable",
        "failure",
        -1.2,
        "works only part of the time, or gives a fraction of what was promised",
        r"\b(?:half the time|(?:only )?works? (?:half|some) of the time|half the (?:advertised|"
        r"promised|stated|quoted|features|range|speed))\b",
        anchors=("half the", "of the time"),
    ),
    _cue(
        "outage",
        "failure",
        -1.2,
        "the service is down, offline or out of order",
        r"\b(?:app|site|website|servers?|service|network|system|wifi|internet|signal|"
        r"broadband|payments?|portal|checkout|lines?) (?:is |are |was |were |has been |been |"
        r"still |went |goes |going )?(?:down|offline)\b(?! for (?:maintenance|planned|scheduled))|"
        r"out of (?:order|service)\b|\boutage(?<!planned outage)(?<!scheduled outage)s?\b|"
        r"\bblackout\b(?! (?:curtains?|blinds?|lining|episode|dates?|period))|"
        r"\bpower(?:'s| is| was| went| has gone| has been| been| still)? out\b|"
        r"\bpower (?:is |was |went |has gone |has been |been |still )off\b|"
        r"\b(?:no|without) (?:power|internet|signal|(?:phone |mobile |cell )?service|water|heat|"
        r"heating|hot water|wi-?fi|connection|coverage|electricity|dial tone)\b"
        # "no power cuts", "no service fee", "without signal drops": the absence of a problem
        r"(?! (?:cuts?|outages?|interruptions?|disruptions?|drops?|loss|issues?|problems?|fees?|"
        r"charges?|banks?|bills?|bottles?|needed|required))",
        anchors=("down", "offline", "out of", "outage", "blackout", "power", "no ", "without"),
    ),
    # -- demands ------------------------------------------------------------------------------
    _cue(
        "demand",
        "demand",
        -1.4,
        "asks for a refund, a fix or compensation",
        r"\b(?:refund|money back|compensat(?:e|ion)|fix (?:this|it|your|the)|sort (?:this|it) "
        r"out|do better|escalate|cancel (?:my|our) (?:account|subscription|order|contract|plan|"
        r"membership)|speak to (?:a|someone|your)|(?:want|need) (?:a|an) (?:answer|explanation)|"
        r"explain (?:why|this)|make (?:this|it) right|i need a human|(?:a|an actual) human|"
        r"(?:should(?:n'?t| not| never)|why (?:should|do|must)) (?:i|we|customers|anyone)? ?"
        r"(?:have|need) to)\b",
        anchors=(
            "refund",
            "money back",
            "compensat",
            "fix ",
            "sort ",
            "do better",
            "escalat",
            "cancel",
            "speak to",
            "answer",
            "explanation",
            "explain",
            "it right",
            "this right",
            "human",
            "have to",
            "need to",
        ),
    ),
    _cue(
        "leaving",
        "demand",
        -1.4,
        "says they are leaving the brand",
        r"\b(?:switching (?:when|provider|providers|bank|banks|network|supplier|as soon|away|"
        r"back)|(?:moving|taking) (?:it|my (?:business|money|account|prescription)) "
        r"(?:elsewhere|away)|cancell?ing (?:my|our)|never (?:again|using|ordering|buying|booking|"
        r"flying|shopping)|(?:i'?m|we'?re|i am|so) done with|"
        r"last time i (?:use|order|book|buy|fly|shop)|"
        r"(?:i'?m|we'?re) (?:switching|leaving|out|done)\b|guess where (?:we|i) went)",
        negatable=False,
        anchors=(
            "switch",
            "moving",
            "taking",
            "cancel",
            "never",
            "done",
            "last time",
            "leaving",
            "m out",  # "i'm out", "im out"
            "re out",  # "we're out"
            "guess where",
        ),
    ),
    # -- sarcasm and exasperation -------------------------------------------------------------
    _cue(
        "sarcasm",
        "sarcasm",
        -1.5,
        "praise words around a problem: sarcasm, so the praise does not count",
        r"(?:\b(?:thanks|thank you) for nothing\b|\b(?:oh |just |so )?great,? (?:another|more|"
        r"again|yet)\b|\boh (?:great|joy|wonderful|lovely|brilliant|fantastic|perfect),|"
        r"\bcool,? cool,? cool\b|\b(?:love|loving|gotta love) (?:waking up to|being (?:charged|"
        r"ignored|on hold))|\b(?:so|really) (?:glad|happy) (?:i|we) (?:pay|paid) (?:for|to)\b"
        r"(?=.{0,60}\b(?:that|which|to|for)\b.{0,40}\b(?:works?|doesn'?t|never|only|barely)\b)|"
        r"\byay\W+(?:another|more)\b|\blove paying\b(?=.{0,80}\b(?:works?|only|barely|never|"
        r"doesn'?t|half)\b)|"
        # thanks for a bad thing: "thanks for the £25 fee", "thank you for the 3 hour delay"
        r"\bthanks? (?:you )?(?:\w+ )?for (?:the |my |a |an |another |all the |this )?(?!\w+ing )"
        r"(?:\S+ ){0,2}?(?:fees?|charges?|surcharges?|delays?|wait|outage|cancell?ations?|"
        r"errors?|runaround|ads|upsell\w*|hassle|headache|inconvenience)\b)",
        negatable=False,
        anchors=("thank", "great", "oh ", "cool", "love", "loving", "glad", "happy", "yay"),
    ),
    _cue(
        "praise beside a problem",
        "sarcasm",
        -1.5,
        "praise words beside a problem the post reports: sarcasm, so the praise does not count",
        r"(?:\boh (?:good|nice|cool)\b|\b(?:love|loving|nothing like|gotta love|nice|great|"
        r"awesome) (?:paying|spending|another|when (?:my|the|your)|how (?:my|the|your|you)|"
        r"the (?:way|fact)|a (?:weekly|daily|monthly))|\bthanks a lot\b(?! for (?:the|your|all|"
        r"helping|fixing|sorting))|\bthanks? (?:for that|a bunch)\W*$|\bclassic\b|"
        r"\bwell done\b|\bamazing service\b|\bcheers\W*$)",
        negatable=False,
        with_problem=True,
        anchors=(
            "oh ",
            "love",
            "loving",
            "nothing like",
            "nice",
            "great",
            "awesome",
            "thank",
            "classic",
            "well done",
            "amazing service",
            "cheers",
        ),
    ),
    _cue(
        "exasperation",
        "sarcasm",
        -1.5,
        "exasperation: an eye-roll, 'smh', 'a joke', 'are you kidding'",
        r"(?:🙄|😤|😡|🤬|😠|🤡|😑|🫠|\b(?:smh|ffs|wtf|a joke|joke of a|clowns|#fail|"
        r"are you (?:kidding|serious|joking)|you(?:'re| are) (?:kidding|joking))\b)",
        negatable=False,
        anchors=(
            "🙄",
            "😤",
            "😡",
            "🤬",
            "😠",
            "🤡",
            "😑",
            "🫠",
            "smh",
            "ffs",
            "wtf",
            "joke",
            "clown",
            "#fail",
            "kidding",
            "serious",
            "joking",
        ),
    ),
    _cue(
        "sigh",
        "sarcasm",
        -1.5,
        "beside a problem, a sigh or a groan ('ugh', 'yikes'): exasperation, so no praise counts",
        r"\b(?:ugh+|yikes|sigh|smdh)\b",
        negatable=False,
        with_problem=True,
        anchors=("ugh", "yikes", "sigh", "smdh"),
    ),
    _cue(
        "quoting the brand",
        "quoting",
        -1.2,
        "beside a problem, quotes the brand's own words or what its system says ('processing', "
        "'premium'): a claim the customer does not believe",
        # A short quote, not a title ("a show called 'x'") or an award ("voted 'best bank'"),
        # and not inches ('a 5" screen'): a quote mark must touch its words on both sides. Only
        # beside a problem: news and praise quote names and statements too.
        r"(?<!called )(?<!titled )(?<!named )(?<!voted )(?<!rated )(?<!awarded )"
        r"[\"“](?=[^\s\"“”])[^\"“”\n]{1,40}(?<=[^\s\"“”])[\"”]",
        negatable=False,
        with_problem=True,
        anchors=('"', "“"),
    ),
    # -- words VADER misreads in customer posts: rewritten before VADER reads the post ----------
    _cue(
        "not gonna lie",
        "reading",
        0.0,
        "'not gonna lie' is a figure of speech: its 'not' does not turn the words after it",
        r"\bnot (?:gonna|going to|to) (?:lie|sugarcoat it|be dramatic)\b",
        negatable=False,
        replacement="",
        anchors=("not ",),
    ),
    _cue(
        "service names",
        "reading",
        0.0,
        "'support', 'help', 'care' and 'smart' here name a service or a product, not praise",
        r"\b(?:(?:customer|tech(?:nical)?|your|the|online|live|phone|chat|premium) "
        r"(?:support|service|care|helpline)|(?:support|help|care) (?:team|ticket|chat|"
        r"number|line|agents?|desk|centre|center|page|staff|email|portal|bot|forum|article)|"
        r"support(?= (?:at|is|are|was|were|said|says|told|keeps?|just|has|have|won'?t|can'?t|"
        r"don'?t|doesn'?t|never)\b)|helpline|help ?desk|smart (?:home|tv|meter|phone|watch|"
        r"plug|speaker|lock|doorbell|"
        r"thermostat|bulbs?|hub|camera|app|devices?)|credit card|(?:from|to|contact(?:ed|ing)?|"
        r"call(?:ed|ing)?|email(?:ed)?|message(?:d)?) support)\b",
        negatable=False,
        replacement="service",
        anchors=("support", "service", "care", "help", "smart", "credit card"),
    ),
    _cue(
        "feature names",
        "reading",
        0.0,
        "'noise cancelling', 'fraud team', 'true crime' name a feature, a team or a genre: "
        "their negative word is not the customer's feeling",
        r"\b(?:noise[- ]?cancell?(?:ing|ation)|fraud (?:team|department|protection|detection|"
        r"alerts?|checks?|prevention)|true crime|crime (?:drama|series|thriller|novel)|"
        r"(?:pain|stress) relief|anti-?(?:virus|theft|fraud|spam|glare|ageing|aging)|"
        r"spam (?:filter|protection)|killer (?:feature|deal|app))\b",
        negatable=False,
        replacement="feature",
        anchors=("noise", "fraud", "crime", "relief", "anti", "spam", "killer"),
    ),
    _cue(
        "hashtag complaint",
        "reading",
        0.0,
        "a complaint written as a hashtag ('#badservice', '#jeepsucks'): its words read apart",
        # The complaint word begins the tag ("#badservice", "#neveragain") or ends it
        # ("#jeepsucks"), so "#badminton" and "#badass" are not complaints.
        r"#(?:(bad|worst|poor|terrible|awful|horrible|useless|rude|broken|never)"
        r"(?!minton|ass|ge\b|ger|land|mind)(\w{3,})|(\w+?)(sucks|fails?|ripoff|scam|shame|lies|liars|"
        r"unacceptable|disappointed|disappointing|fraud))\b",
        negatable=False,
        replacement=" \\1 \\2\\3 \\4 ",
        anchors=("#",),
    ),
    _cue(
        "greeting",
        "reading",
        0.0,
        "'good morning' opens a message: it is a greeting, not praise",
        r"\bgood (?:morning|afternoon|evening|day)\b",
        negatable=False,
        replacement="",
        anchors=("good ",),
    ),
    _cue(
        "praise VADER lacks",
        "reading",
        0.0,
        "praise customers give that VADER's lexicon lacks ('seamless', 'reliable', 'handy'): "
        "read as 'good', so 'not reliable' reads as 'not good'",
        r"\b(?:incredible|handy|smooth|seamless|effortless|reliable|speedy|hassle[- ]free|"
        r"top[- ]notch|impeccable|knowledgeable|game[- ]?changer)\b",
        negatable=False,
        replacement=" good ",
        anchors=(
            "incredible",
            "handy",
            "smooth",
            "seamless",
            "effortless",
            "reliable",
            "speedy",
            "hassle",
            "notch",
            "impeccable",
            "knowledgeable",
            "changer",
        ),
    ),
    _cue(
        "request",
        "reading",
        0.0,
        "'please' and 'help' in a request are politeness and a plea, not praise",
        r"\b(?:(?:please|pls|plz),? help|please|pls|plz|help (?:me|us|please|pls)|(?:need|needs|"
        r"needed|get|getting|any|some|want|wanted) (?:\w+ )?help|(?:someone|anyone|somebody|"
        r"anybody) (?:\w+ )?help|(?<!the )(?<!your )(?<!all )help(?=\s*[!?])|"
        r"would (?:really )?appreciate|would be (?:\w+ )?appreciated)(?!\w)",
        negatable=False,
        replacement="",
        anchors=("please", "pls", "plz", "help", "appreciate"),
    ),
    _cue(
        "polite sign-off",
        "reading",
        0.0,
        "'thanks' closing a report of a problem is politeness, not praise",
        # One character class first: the regex engine then skips ahead to it quickly.
        r"[.!?,\s]\s*(?:thanks|thank you|thx|many thanks)(?: in advance)?\W*$",
        negatable=False,
        replacement="",
        with_problem=True,
        anchors=("thank", "thx"),
    ),
    _cue(
        "wry laugh",
        "reading",
        0.0,
        "a laugh beside a problem is wry, not happy",
        r"(?:\b(?:lol|lmao|lmfao|rofl|haha+|hah)\b|😂|🤣|😅|😆)",
        negatable=False,
        replacement="",
        with_problem=True,
        anchors=("lol", "lmao", "lmfao", "rofl", "hah", "😂", "🤣", "😅", "😆"),
    ),
    _cue(
        "no problems",
        "reading",
        0.0,
        "praise told as the absence of problems: 'never had a problem', 'can't fault them'",
        r"\b(?:never (?:had|once had|been) (?:a |an |any )?(?:single )?(?:problem|issue|"
        r"complaint|fault)s?|(?:no|zero|not a single|not one) (?:problems?|issues?|complaints?|"
        r"fuss|hassle)|(?:can'?t|cannot|couldn'?t) fault|never (?:let|lets) (?:me|us) down)\b",
        negatable=False,
        replacement=" great ",
        anchors=("never", "no ", "zero", "not a single", "not one", "fault"),
    ),
    _cue(
        "after 'at least'",
        "reading",
        0.0,
        "what follows 'at least', 'anyway' or 'thankfully' is what the post says of the brand",
        r"^.{0,300}?\b(?:at least|anyway|anyways|thankfully|luckily|thank god|but then)\b",
        negatable=False,
        replacement="",
        anchors=("at least", "anyway", "thankfully", "luckily", "thank god", "but then"),
    ),
    _cue(
        "slang praise",
        "reading",
        0.0,
        "'🔥', 'slaps', 'undefeated' are praise in a post, not fire or defeat",
        r"(?:🔥|🤌|\b(?:slaps|goated|undefeated|a banger|(?:a )?legend of a|hits different)\b)",
        negatable=False,
        replacement=" great ",
        anchors=("🔥", "🤌", "slaps", "goated", "undefeated", "banger", "legend", "hits different"),
    ),
    # -- the problem is over -----------------------------------------------------------------
    _cue(
        "resolved",
        "resolved",
        2.0,
        "the problem is reported as fixed",
        r"\b(?:(?:fixed|sorted|resolved|solved) (?:it|this|my|the|everything|in|within|"
        r"quickly|fast)|working again|back up and running|up and running again|all sorted|"
        r"(?:got|received|had) (?:my|the|a full) refund|refund (?:\S+ ){0,4}(?:came|arrived|"
        r"landed|went through|was processed)|saved the day|above and beyond|sorted me out|"
        r"thanks? (?:you )?(?:so much )?for (?:fixing|sorting|resolving|the quick|getting back|"
        r"helping|your help)|problem solved|(?:is|are|was|all|been|now|got it) (?:fixed|sorted|"
        r"resolved|solved)|(?:pushed|released|rolled out|shipped|sent) (?:out )?a (?:fix|patch)|"
        r"(?:fixed|squashed|patched) (?:the|that|a|my) (?:bug|glitch|issue)|"
        r"(?:works?|working|fine|sorted) now|finally (?:arrived|fixed|working|sorted|got))\b",
        negatable=True,
        anchors=(
            "fixed",
            "sorted",
            "solved",
            "working again",
            "running",
            "refund",
            "saved the day",
            "above and beyond",
            "thank",
            "finally",
            "fix",
            "patch",
            "squashed",
            "now",
        ),
    ),
)

_PROBLEM_KINDS = frozenset({"waiting", "failure", "demand"})
_QUESTION = _cue(
    "problem question",
    "question",
    -1.0,
    "a question at the brand that reports a problem",
    r"(?:^|[.!?]\s+|\s)(?:why|where(?:'s| is)|when (?:will|is|can|do)|how (?:long|come|do i "
    r"get)|(?:is|are) (?:it|the|your|anyone|everyone|there|\w+) (?:\w+ )?(?:down|out|broken|"
    r"working|getting|having|not)|anyone (?:else|got|get|managed?|been able)|is anyone|does anyone|"
    r"am i the only)\b[^?]{0,200}\?",
    negatable=False,
    anchors=("?",),
)
# A question with these alone reports a problem even without another cue.
_QUESTION_PROBLEM = re.compile(
    r"\b(?:down|out(?:age)?|broken|not \w+ing|problems?|issues?|error|anyone else|"
    r"am i the only|still|yet|why (?:is|does|are|do|can'?t|won'?t|hasn'?t|isn'?t|did|would|"
    r"has|have|was|were|am|my|the)|where(?:'s| is| are) (?:my|our)|back (?:on|up|online)|"
    r"(?:have to|must|gotta) (?:\w+ )?wait)\b",
    re.IGNORECASE,
)
# "why is my package not here", asked without a question mark: as much a problem question.
_WHY = re.compile(
    r"(?:^|[.!,]\s*|\s)why+ (?:is|are|does|do|did|can'?t|cant|won'?t|wont|doesn'?t|isn'?t|"
    r"aren'?t|hasn'?t|haven'?t|didn'?t|would|the hell|tf|on earth|u|you|my)\b"
    r"(?! (?:no ?one|nobody|everyone) (?:talking|raving))[^.!?]{0,200}"
)
# A question that asks, after telling what went wrong: "I have no water and the bill is paid.
# Can you do something?". Its words are the problem, so it is not discounted as a plain question.
_TOLD_PROBLEM = re.compile(
    r"\b(?:(?:can'?t|cannot|couldn'?t)(?!\s+(?:(?:even|really|ever|just)\s+)?(?:wait|believe|"
    r"stop|recommend|imagine|remember|decide|get over|thank|complain|fault|make it|make the|"
    r"travel|attend|come|join|be there))|won'?t|wont|"
    r"isn'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|no longer|not (?:\w+ing|able|sure why)|"
    r"fault(?:y|s)?|broken|broke|problems?|(?:an?|the same|my|our|having|had|some) issues?|"
    r"errors?|wrong|complain(?:t|ts|ing)?|stopped|fail(?:ed|s|ing)?|bugs?(?! bount)|glitch\w*)\b"
)


# Words that report a problem even inside the question: "can I complain about my order?".
_ASKED_PROBLEM = re.compile(
    r"\b(?:complain\w*|broken|broke|faulty|wrong|stopped|fail(?:ed|s|ing)?)\b"
)


def _told_before(text: str, plain: re.Match[str]) -> bool:
    """Whether a problem is told before the clause of the question `plain` found ("the router
    is broken, can you send an engineer?", not "can't remember, is it 23kg?"), or asked in it."""
    question_mark = text.find("?", plain.start())
    told = max(text.rfind(mark, 0, question_mark) for mark in ".!,;:")
    if told > 0 and _TOLD_PROBLEM.search(text, 0, told) is not None:
        return True
    return _ASKED_PROBLEM.search(text, max(told, 0), question_mark) is not None


# A question that asks for information, with no problem in it: "does the basic plan do 4k?".
# VADER reads its words ("support", "allow", "drop") as sentiment the author does not have.
_PLAIN_QUESTION = _cue(
    "plain question",
    "plain",
    0.0,
    "a question asking for information: its praise words are not praise",
    r"(?:^|[.!?]\s+|\s)(?:does|do|is|are|can|could|will|would|what|what's|when|where|which|who|"
    r"how|any|anyone|has|have|should|i'?m|hi|hello|hey)\b[^?]{0,200}\?",
    negatable=False,
    anchors=("?",),
)
PLAIN_QUESTION_FACTOR = 0.25  # how much of VADER's reading of a plain question counts
# A post that is nothing but such a question ("when does season 3 drop?", "can I get a check
# without booking?"): its negative words name what it asks about, not a feeling either.
_ONLY_QUESTION = _cue(
    "only a question",
    "asking",
    0.0,
    "the post only asks for information: its words name the topic, not a feeling",
    _PLAIN_QUESTION.pattern.pattern,
    negatable=False,
    anchors=("?",),
)
# Before the question, at most a greeting or a mention ("hi @brand,"): no sentence of its own.
_NO_SENTENCE = re.compile(r"[^.!?]*")
_OPENING_WORDS = 3
_QUESTION_END = re.compile(r"[\s?!]*")
ONLY_QUESTION_FACTOR = 0.1  # how much of VADER's reading of a post that only asks counts
# A notice of planned work or a possible delay, with no one's problem in it, is information.
_NOTICE = _cue(
    "notice",
    "notice",
    0.0,
    "a notice of planned work or a possible delay: information, not a complaint",
    r"\b(?:(?:scheduled|planned) (?:maintenance|downtime|works?|outage|strike)|maintenance "
    r"(?:window|tonight|tomorrow|on|from|between|at)|will be (?:down|closed|unavailable|offline|"
    r"affected|disrupted)|may be (?:delayed|affected|slower|unavailable|disrupted)|"
    r"strike (?:planned|action|on)|heads up|fyi|psa)\b",
    negatable=False,
    anchors=(
        "scheduled",
        "planned",
        "maintenance",
        "will be",
        "may be",
        "strike",
        "heads up",
        "fyi",
        "psa",
    ),
)
NOTICE_FACTOR = 0.1  # how much of VADER's negative reading of a notice counts
# News of a launch or a change, told by no one it happened to: its mild praise words are the
# announcement's, not a customer's. Its negative words are kept: news of a recall, a breach or
# a closure is what a crisis team must see.
_NEWS = _cue(
    "news",
    "news",
    0.0,
    "news of a launch or a change, with no one's own experience in it: its praise is not a "
    "customer's",
    r"\b(?:launch(?:es|ed|ing)?|announc(?:es|ed|ing)|introduc(?:es|ed|ing)|roll(?:s|ed|ing) out|"
    r"now (?:lets|offers|accepts|supports|available)|can now|"
    r"from (?:today|tomorrow|next (?:week|month|year)|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday))\b",
    negatable=False,
    anchors=("launch", "announc", "introduc", "roll", "now", "from "),
)
NEWS_FACTOR = 0.1  # how much of VADER's positive reading of news counts
PRAISE_BESIDE_A_PROBLEM = 0.5  # how much of VADER's positive reading counts beside a problem
NEWS_OPINION = 0.5  # VADER reading news this warmly is reading an opinion: kept as it is
# Someone telling their own experience: then it is not news.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|we|we're|we've|us|our)\b")


def _negated(text: str, start: int) -> bool:
    return _NEGATED_BEFORE.search(text, max(0, start - 24), start) is not None


def _spaced(anchor: str) -> bool:
    return any(char.isspace() for char in anchor)


# The anchor gate, word by word. An anchor without a space lies inside one word of a post, so
# the cues such anchors let through are known from the post's words, and each word's are
# remembered: most words of a post have been seen before. Anchors with a space ("no ", "m out")
# are looked for in the post itself, and only for a cue its words did not let through.
# Each anchor without a space, with the bit of its cue (bit n for CUES[n]):
_IN_A_WORD = tuple(
    (anchor, 1 << n) for n, cue in enumerate(CUES) for anchor in cue.anchors if not _spaced(anchor)
)
_MAX_WORDS = 50_000  # words remembered, then forgotten all at once: memory stays bounded


class _WordGates(dict[str, int]):
    """The words seen, each with the bits of the cues its anchors let through."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _MAX_WORDS:
            self.clear()
        bits = 0
        for anchor, bit in _IN_A_WORD:
            if anchor in word:
                bits |= bit
        self[word] = bits
        return bits


_WORD_GATES = _WordGates()


def _gates(text: str) -> int:
    """The bits of the cues that an anchor without a space in a text lets through."""
    return functools.reduce(operator.or_, map(_WORD_GATES.__getitem__, text.split()), 0)


# A cue, its bit and its anchors with a space: what the gate needs in _found.
_Gated = tuple[Cue, int, tuple[str, ...]]
_ALONE: tuple[_Gated, ...] = tuple(
    (cue, 1 << n, tuple(filter(_spaced, cue.anchors)))
    for n, cue in enumerate(CUES)
    if not cue.with_problem
)
_BESIDE_A_PROBLEM: tuple[_Gated, ...] = tuple(
    (cue, 1 << n, tuple(filter(_spaced, cue.anchors)))
    for n, cue in enumerate(CUES)
    if cue.with_problem
)
_ORDER = {cue.name: n for n, cue in enumerate(CUES)}


def _found(cues: tuple[_Gated, ...], text: str, gates: int | None) -> list[FiredCue]:
    """The cues of `cues` that fire in a lower-case text, each once; `gates` from _gates(text),
    or None to search for every cue."""
    fired: list[FiredCue] = []
    for cue, bit, spaced in cues:
        if gates is not None and not gates & bit:
            for anchor in spaced:
                if anchor in text:
                    break
            else:
                continue
        if not cue.negatable:
            found = cue.pattern.search(text)
            if found is not None:
                fired.append(FiredCue(cue, found.group().strip()))
            continue
        for match in cue.pattern.finditer(text):
            if _negated(text, match.start()):
                continue
            fired.append(FiredCue(cue, match.group().strip()))
            break
    return fired


def find_cues(text: str, *, use_anchors: bool = True) -> list[FiredCue]:
    """The cues that fire in a text, each once, in the order of CUES."""
    text = text.lower()
    gates = _gates(text) if use_anchors else None
    fired = _found(_ALONE, text, gates)
    # A cue that needs a problem beside it needs one that is not reported fixed; only then is
    # it looked for, which keeps the layer cheap.
    if any(f.cue.kind in _PROBLEM_KINDS for f in fired) and not any(
        f.cue.kind == "resolved" for f in fired
    ):
        beside = _found(_BESIDE_A_PROBLEM, text, gates)
        if beside:
            fired = sorted(fired + beside, key=lambda found: _ORDER[found.cue.name])
    if "?" in text:
        question = _QUESTION.pattern.search(text)
        if question is not None and (
            any(f.cue.kind in _PROBLEM_KINDS for f in fired)
            or _QUESTION_PROBLEM.search(question.group())
        ):
            fired.append(FiredCue(_QUESTION, question.group().strip()))
        elif not any(f.cue.kind in _PROBLEM_KINDS or f.cue.kind == "sarcasm" for f in fired):
            plain = _PLAIN_QUESTION.pattern.search(text)
            if plain is not None and _told_before(text, plain):
                fired.append(FiredCue(_QUESTION, plain.group().strip()))
            elif plain is not None:
                # The match may begin with the end of the sentence before it.
                before = text[: plain.start() + 1]
                only = (
                    _NO_SENTENCE.fullmatch(before) is not None
                    and len(before.split()) <= _OPENING_WORDS
                    and _QUESTION_END.fullmatch(text, plain.end()) is not None
                )
                found = _ONLY_QUESTION if only else _PLAIN_QUESTION
                fired.append(FiredCue(found, plain.group().strip()))
    if "why" in text and not any(f.cue.kind == "question" for f in fired):
        why = _WHY.search(text)
        if why is not None:
            fired.append(FiredCue(_QUESTION, why.group().strip()))
    if not any(
        f.cue.kind in _PROBLEM_KINDS or f.cue.kind in ("sarcasm", "question") for f in fired
    ) and any(anchor in text for anchor in _NOTICE.anchors):
        notice = _NOTICE.pattern.search(text)
        if notice is not None:
            fired.append(FiredCue(_NOTICE, notice.group().strip()))
    if (
        not fired
        and any(anchor in text for anchor in _NEWS.anchors)
        and _FIRST_PERSON.search(text) is None
    ):
        news = _NEWS.pattern.search(text)
        if news is not None:
            fired.append(FiredCue(_NEWS, news.group().strip()))
    return fired


def discounts_praise(fired: list[FiredCue]) -> bool:
    """Whether VADER's praise counts for PRAISE_BESIDE_A_PROBLEM of itself: a problem reported
    and not fixed (with sarcasm the praise counts not at all)."""
    kinds = {f.cue.kind for f in fired}
    return kinds.isdisjoint(("resolved", "sarcasm")) and not kinds.isdisjoint(_PROBLEM_KINDS)


def shift(fired: list[FiredCue]) -> float:
    """What the fired cues add to VADER's sum of valences, capped at MAX_SHIFT either way."""
    # A fixed problem is told with the problem's words: then those do not count twice.
    resolved = any(f.cue.kind == "resolved" for f in fired)
    told = _PROBLEM_KINDS | {"question"}
    total = sum(f.weight for f in fired if not (resolved and f.cue.kind in told))
    return max(-MAX_SHIFT, min(MAX_SHIFT, total))


def vader_sum(compound: float) -> float:
    """VADER's sum of valences behind a compound score (the inverse of its normalization)."""
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(ALPHA / (1.0 - compound * compound))


def normalized(total: float) -> float:
    """VADER's normalization of a sum of valences into -1..1, rounded as VADER rounds."""
    return round(total / math.sqrt(total * total + ALPHA), 4)


def combine(compound: float, fired: list[FiredCue]) -> float:
    """VADER's compound score with the cues' weights added to its sum of valences."""
    if not fired:
        return compound
    read = total = vader_sum(compound)
    if any(f.cue.kind == "plain" for f in fired):
        # Only praise words are discounted: negative words in a question are mostly the problem.
        total = total * PLAIN_QUESTION_FACTOR if total > 0 else total
    if any(f.cue.kind == "asking" for f in fired):
        total *= ONLY_QUESTION_FACTOR  # a post that only asks: no feeling either way
    if any(f.cue.kind == "notice" for f in fired) and total < 0:
        total *= NOTICE_FACTOR
    if any(f.cue.kind == "news" for f in fired) and 0.0 < compound < NEWS_OPINION:
        total *= NEWS_FACTOR
    if any(f.cue.kind == "sarcasm" for f in fired):
        total = min(total, 0.0)  # "thanks for nothing": the thanks is not praise
    elif total > 0 and discounts_praise(fired):
        # Beside a problem, praise words are mostly politeness, hope or the past ("it used to
        # work fine"): they count for less than the problem.
        total *= PRAISE_BESIDE_A_PROBLEM
    moved = shift(fired)
    if moved == 0.0 and total == read:  # nothing changed the reading: VADER's own rounding
        return compound
    return normalized(total + moved)


def as_vader_should_read(text: str, fired: list[FiredCue]) -> str:
    """The text with the words VADER misreads in customer posts replaced (the reading cues)."""
    for found in fired:
        if found.cue.replacement is not None and found.cue.replacer is not None:
            text = found.cue.replacer.sub(found.cue.replacement, text)
    return " ".join(text.split())
