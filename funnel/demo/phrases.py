"""What the demo consultant sells, and the notes she writes while selling it.

An activity line is (kind, outcome, note); an empty outcome means there was nothing to record
(an email not yet answered, a card sent).
"""

from dataclasses import dataclass

Line = tuple[str, str, str]


@dataclass(frozen=True)
class Service:
    title: str  # `{year}` becomes the year the work would happen
    low: int  # EUR
    high: int
    sectors: tuple[str, ...] = ()  # empty: sells to anyone


SERVICES = (
    Service("Operations review {year}", 6000, 18000),
    Service("Leadership workshop series", 4500, 12000),
    Service("Sales coaching programme", 8000, 24000),
    Service("Strategy retainer {year}", 18000, 48000),
    Service("Follow-up process audit", 3000, 8000),
    Service("Pricing review", 3500, 9000),
    Service("Management offsite facilitation", 1500, 4500),
    Service("Onboarding process redesign", 5000, 14000),
    Service("Team coaching, six months", 9000, 22000),
    Service("Annual planning workshop {year}", 2000, 6000),
    Service("Digital workflow review", 4500, 13000),
    Service("Succession planning support", 12000, 40000),
    Service("Customer service training", 2500, 7500, ("Hospitality", "Retail", "Healthcare")),
    Service("Lean production assessment", 9000, 28000, ("Manufacturing", "Food production")),
    Service("Quality system audit", 4000, 12000, ("Manufacturing", "Food production")),
    Service("Warehouse process review", 7000, 20000, ("Logistics", "Retail")),
    Service("Cost reduction programme", 20000, 60000, ("Manufacturing", "Logistics")),
    Service("Patient flow review", 5000, 14000, ("Healthcare",)),
    Service("Guest experience programme", 6000, 16000, ("Hospitality",)),
    Service("Site management coaching", 5000, 15000, ("Construction",)),
    Service("Product team coaching", 8000, 30000, ("Software",)),
    Service("Growth plan {year}", 10000, 35000, ("Software", "Professional services")),
    Service("Enrolment process redesign", 6000, 15000, ("Education",)),
    Service("Partner coaching programme", 9000, 25000, ("Professional services",)),
)

SOURCES = ("Referral", "Website", "Event", "LinkedIn", "Cold call")
SOURCE_WEIGHTS = (30, 15, 15, 25, 15)
EXISTING_CUSTOMER = "Existing customer"

LOST_REASONS = (
    "Chose a cheaper local firm",
    "Budget frozen for {year}",
    "Decided to do it in-house",
    "Went with their accountant's offer",
    "The owner sold the business",
    "Postponed indefinitely after a merger",
    "Chose a larger consultancy with a sector specialist",
    "Our proposal was twice their budget",
)
DEAD_REASONS = (
    "No reply after six attempts",
    "No reply after six attempts over three months",
    "Contact left the company; nobody else picks it up",
    "Went silent after the first meeting; five follow-ups unanswered",
)

FIRST_CONTACT: dict[str, tuple[Line, ...]] = {
    "Referral": (
        ("call", "reached", "Intro call after a referral from a former client"),
        ("call", "meeting_booked", "Called on their accountant's recommendation; meeting booked"),
    ),
    "Website": (
        ("email", "replied", "Enquiry through the website form; replied the same day"),
        ("email", "replied", "Downloaded the follow-up checklist and asked for a call"),
    ),
    "Event": (
        ("meeting", "reached", "Met at a regional business breakfast; exchanged cards"),
        ("meeting", "reached", "Spoke after my talk at the trade fair"),
    ),
    "LinkedIn": (
        ("email", "replied", "Answered my LinkedIn post; moved the conversation to email"),
        ("email", "replied", "Connected on LinkedIn; sent a short note about their growth"),
    ),
    "Cold call": (
        ("call", "meeting_booked", "Cold call: interested, agreed to a first meeting"),
        ("call", "reached", "Cold call: interested, asked for a summary by email"),
    ),
    EXISTING_CUSTOMER: (
        ("call", "reached", "They called about a follow-up project"),
        ("meeting", "reached", "Review of the last project turned into a new request"),
    ),
}

# The three phase pools are in story order: the lines picked for a phase keep this order.
QUALIFY: tuple[Line, ...] = (
    ("note", "", "Read their website and latest accounts before the call"),
    ("email", "", "Sent a short summary of how I work"),
    ("call", "no_answer", "No answer; left a short voicemail"),
    ("email", "replied", "Sent two case studies from their sector"),
    ("call", "rescheduled", "They asked me to call back next week"),
    ("call", "reached", "Qualifying call: asked about budget and timing"),
    ("email", "replied", "Sent the questionnaire before the first meeting"),
    ("meeting", "reached", "First meeting at their office; toured the site"),
    ("not_buying_signal", "not_buying_signal", "Very busy until the end of the quarter"),
    ("email", "", "Followed up on our first meeting with three questions"),
    ("video", "reached", "Discovery call with the owner"),
    ("call", "reached", "Asked who else is involved in the decision"),
    ("buying_signal", "buying_signal", "Asked how soon I could start"),
)
DEVELOP: tuple[Line, ...] = (
    ("meeting", "reached", "Met the operations team to gather needs"),
    ("meeting", "reached", "Workshop to map their current order process"),
    ("video", "reached", "Answered the questions from their IT person"),
    ("email", "", "Sent the proposal with three options"),
    ("note", "", "Proposal valid for 30 days; reminder set"),
    ("call", "no_answer", "No answer; will try again in two days"),
    ("call", "reached", "Checked they received the proposal"),
    ("video", "reached", "Walked the team through the proposal"),
    ("buying_signal", "buying_signal", "Asked for references"),
    ("email", "replied", "Sent references from two similar clients"),
    ("not_buying_signal", "not_buying_signal", "Postponed the meeting twice"),
    ("not_buying_signal", "not_buying_signal", "Asked for a much lower price"),
    ("email", "replied", "Sent the revised proposal"),
    ("email", "", "Sent a short article on their main bottleneck"),
    ("call", "meeting_booked", "Booked a meeting with the owner and the office manager"),
    ("call", "reached", "Talked payment terms with the finance side"),
    ("buying_signal", "buying_signal", "Asked for the invoicing schedule"),
)
CLOSE: tuple[Line, ...] = (
    ("call", "reached", "Final call to confirm the scope"),
    ("meeting", "reached", "Agreed the start date in principle"),
    ("call", "reached", "Agreed payment in two instalments"),
    ("email", "replied", "Sent the contract for signature"),
    ("call", "rescheduled", "Signing moved to next week; the owner is travelling"),
    ("email", "replied", "Answered the last questions on the contract"),
    ("buying_signal", "buying_signal", "Owner said: let's plan the kick-off"),
    ("video", "reached", "Planned the first month with the team"),
)
CHASE: tuple[Line, ...] = (
    ("call", "no_answer", "No answer"),
    ("call", "no_answer", "No answer; left a voicemail"),
    ("call", "no_answer", "Reception says they are in meetings all day"),
    ("email", "", "Short check-in: is this still a priority?"),
    ("email", "", "Sent a useful article; no reply"),
)
KEEP_IN_TOUCH: tuple[Line, ...] = (
    ("email", "", "Sent the quarterly newsletter"),
    ("email", "replied", "Shared an article on planning for next year; they thanked me"),
    ("call", "reached", "Quarterly check-in: still not ready; next call in three months"),
    ("letter", "", "Sent a handwritten note for their company anniversary"),
)
PERSON_ONLY: tuple[Line, ...] = (
    ("email", "replied", "Congratulated them on the new role"),
    ("meeting", "reached", "Coffee to catch up; may have a project in spring"),
    ("call", "reached", "Asked for an introduction to one of their suppliers"),
    ("email", "", "Sent the article they asked about"),
    ("video", "reached", "Catch-up call; nothing to sell right now"),
    ("note", "", "Changed role within the group; contact details updated"),
    ("letter", "", "Sent a card for their company anniversary"),
)

# Milestones: the activity that justified each move.
TO_IN: tuple[Line, ...] = (
    ("meeting", "reached", "Needs confirmed; they asked for a proposal"),
    ("video", "reached", "Fit confirmed: they want to go ahead with a proposal"),
)
TO_BEST_FEW: tuple[Line, ...] = (
    ("buying_signal", "buying_signal", "Economic buyer approved the budget"),
    ("meeting", "buying_signal", "Everyone on board; only the signature is missing"),
)
BACK_TO_IN: tuple[Line, ...] = (
    ("not_buying_signal", "not_buying_signal", "New general manager wants to review all projects"),
)
TO_WON: tuple[Line, ...] = (
    ("note", "", "Contract signed"),
    ("email", "replied", "Signed contract received"),
)
TO_NURTURE: tuple[Line, ...] = (
    ("call", "reached", "Not before next year; agreed to keep in touch every quarter"),
    ("meeting", "reached", "Good fit, but no budget this year; will check in after the summer"),
)
# After a won deal (docs/method.md section 3), in order: the card, the kick-off, the card on
# delivery, the call after it.
AFTER_SALE: tuple[Line, ...] = (
    ("letter", "", "Handwritten thank-you card sent"),
    ("meeting", "reached", "Kick-off meeting with the team"),
    ("letter", "", "Thank-you card sent when the project was delivered"),
    ("call", "reached", "Call after delivery: they are happy and would refer me"),
)
# A prospect who stopped answering: a talk or two, then nothing (docs/method.md 2.4).
GHOST_OPENING: tuple[Line, ...] = (
    ("call", "reached", "Qualifying call: interested, but busy until the end of the month"),
    ("email", "replied", "Sent two case studies from their sector; they said they'd read them"),
    ("video", "reached", "Short video call with the owner; promised to come back to me"),
)
GHOSTED: tuple[Line, ...] = (
    ("call", "no_answer", "No answer"),
    ("call", "no_answer", "No answer; left a voicemail"),
    ("email", "no_answer", "No reply to my follow-up email"),
    ("call", "no_answer", "Reception says they are in meetings all day"),
)
# In the funnel for months with nothing moving: answers, but no progress (in story order).
IDLE: tuple[Line, ...] = (
    ("email", "", "Sent the proposal with three options"),
    ("call", "rescheduled", "They asked me to call back after the trade fair"),
    ("email", "", "Follow-up on the proposal; no reply yet"),
    ("not_buying_signal", "not_buying_signal", "Postponed the meeting twice"),
    ("call", "no_answer", "No answer; left a voicemail"),
    ("call", "rescheduled", "The owner is travelling; call again next month"),
    ("email", "", "Sent a short article on their main bottleneck"),
)
# What a customer asked for; the app plans the answer as "Answer: <the first line>".
REQUESTS: tuple[Line, ...] = (
    ("request", "", "A quote for training a second team"),
    ("request", "", "A revised quote with a smaller scope"),
    ("request", "", "References from a client in their sector"),
    ("request", "", "Could we start two weeks earlier than planned?"),
)
ANSWERS: tuple[Line, ...] = (
    ("call", "reached", "Called back with the answer; they were pleased it came so fast"),
    ("email", "replied", "Sent the answer the same morning; they thanked me"),
)

INFLUENCE_NOTES = {
    "economic": (
        "Signs off anything above 5k",
        "Decides together with the board",
        "Wants payback within a year",
    ),
    "user": ("Will run the project day to day", "Worried about the extra workload"),
    "technical": ("Checks references and insurance", "Wants a fixed price"),
    "coach": (
        "Wants this to succeed; tells me what the owner thinks",
        "Former colleague; explains the internal politics",
    ),
}

# The few moves she pushed through with a prerequisite unmet: (override reason, milestone).
OVERRIDES: dict[str, tuple[str, Line]] = {
    "in": (
        "They asked for a proposal on the first call; I'll confirm the fit at the first meeting.",
        ("buying_signal", "buying_signal", "Asked for a proposal straight away, before we met"),
    ),
    "best_few": (
        "Their board signs only at its quarterly meeting; everything else is agreed.",
        ("meeting", "buying_signal", "All agreed; the board signs at its next quarterly meeting"),
    ),
    "won": (
        "Signed quickly after a referral; no time to meet the board.",
        ("note", "", "Contract signed: the referral did most of the selling"),
    ),
}

# What a follow-up is for, by level and channel: what she writes when she schedules it.
PURPOSES: dict[str, dict[str, tuple[str, ...]]] = {
    "above": {
        "phone": (
            "Call to qualify: budget, timing, who decides",
            "Ask who else is involved in the decision",
            "Call back as they asked",
        ),
        "email": (
            "Send two case studies from their sector",
            "Follow up on the summary I sent",
            "Send the questionnaire before our first meeting",
        ),
        "meeting": ("First meeting at their office", "Coffee with the owner near their office"),
        "video": ("Video call with the owner", "Discovery call with the team"),
    },
    "in": {
        "phone": (
            "Call to check they received the proposal",
            "Follow up: the proposal expires next week",
            "Call the finance side about payment terms",
        ),
        "email": (
            "Send references from two similar clients",
            "Send the revised proposal",
            "Follow up on the proposal",
        ),
        "meeting": (
            "Meet the office manager to go through the proposal",
            "Meet the team to gather their needs",
        ),
        "video": (
            "Video call with the team on the revised proposal",
            "Walk the team through the proposal",
        ),
    },
    "best_few": {
        "phone": (
            "Call the owner to confirm the start date",
            "Call to check the contract is signed",
        ),
        "email": ("Send the contract for signature", "Answer the last questions on the contract"),
        "meeting": ("Agree the kick-off date with the team", "Sign the contract at their office"),
        "video": ("Plan the first month with the team", "Final call to confirm the scope"),
    },
}
# What new she brings to a follow-up (docs/method.md 2.2); {customer} is one she won.
VALUES_TO_BRING = (
    "Share the case study from {customer}",
    "Share the case study from {customer}",
    "Figures from a similar project: 18% fewer late orders",
    "A one-page checklist for their follow-up process",
    "The answer to their question on paying in instalments",
    "News: the regional training grant opens next month",
    "An article on their main bottleneck",
    "Two dates for the kick-off workshop",
    "An introduction to a client who solved the same problem",
)
