"""SAMPLE DATA generator: writes the fictional sample feeds and inbox files that the default run ingests.

Deterministic (fixed random seed, fixed dates): running it twice writes identical bytes. Never fetches anything.
Every outlet here is fictional and every file is marked SAMPLE. Reporting on real people is paraphrase only:
no quotation is attributed to any real person.

    python samples/make_samples.py            # rewrite samples/feeds/*.xml and samples/inbox/sample-*
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

HERE = Path(__file__).resolve().parent
FIRST_DAY = date(2025, 4, 28)
LAST_DAY = date(2025, 5, 18)
CEASEFIRE_DAY = date(2025, 5, 10)
SEED = 20250510


@dataclass(frozen=True)
class Outlet:
    key: str
    name: str
    file: str
    kind: str  # rss | atom
    host: str
    tz: timezone
    country: str
    stance: str  # which framing pool colours its coverage
    description: str


OUTLETS = [
    Outlet(
        "herald",
        "Sample Herald (sample)",
        "sample-herald.xml",
        "rss",
        "herald.sample.invalid",
        UTC,
        "GB",
        "washington_critical",
        "SAMPLE feed of a fictional outlet for newswatch demos and tests. Sceptical of Washington's role.",
    ),
    Outlet(
        "ledger",
        "Sample Ledger (sample)",
        "sample-ledger.xml",
        "rss",
        "ledger.sample.invalid",
        timezone(timedelta(hours=5, minutes=30)),
        "IN",
        "india_warm",
        "SAMPLE feed of a fictional outlet for newswatch demos and tests. Warm toward New Delhi.",
    ),
    Outlet(
        "observer",
        "Sample Observer (sample)",
        "sample-observer-atom.xml",
        "atom",
        "observer.sample.invalid",
        timezone(timedelta(hours=-4)),
        "US",
        "army_chief_critical",
        "SAMPLE Atom feed of a fictional outlet for newswatch demos and tests. Critical of Pakistan's army chief.",
    ),
    Outlet(
        "wire",
        "Sample Wire (sample)",
        "sample-wire.xml",
        "rss",
        "wire.sample.invalid",
        UTC,
        "CH",
        "neutral",
        "SAMPLE feed of a fictional news agency for newswatch demos and tests. Neutral wire copy.",
    ),
]


@dataclass(frozen=True)
class Event:
    """One public development, as several outlets might report it. Facts are paraphrased, never quoted."""

    day: date
    slug: str
    tags: tuple[str, ...]  # us | india | army | pakistan: which framing sentences fit
    headlines: tuple[str, ...]
    facts: tuple[str, ...]


def _d(month: int, day: int) -> date:
    return date(2025, month, day)


EVENTS: list[Event] = [
    # --- late April: tension after the Pahalgam attack --------------------------------------------------------
    Event(
        _d(4, 28),
        "loc-firing-fourth-night",
        ("india", "pakistan"),
        (
            "Small-arms fire along Line of Control for a fourth straight night",
            "Troops trade fire across Kashmir frontier again as tensions simmer",
            "Fresh exchanges of fire reported along the Line of Control",
            "Kashmir frontier sees another night of gunfire",
        ),
        (
            "Indian and Pakistani troops exchanged small-arms fire along the Line of Control in Kashmir for a fourth consecutive night, the Indian army said.",
            "No casualties were reported in the latest exchanges, which began after the deadly attack on tourists near Pahalgam on April 22.",
            "The Pahalgam attack killed 26 people, most of them tourists, and India has blamed Pakistan-based militants for it.",
            "Pakistan has denied any involvement in the attack and called for a neutral investigation.",
            "Villagers near the frontier said they had begun clearing old bunkers as a precaution.",
        ),
    ),
    Event(
        _d(4, 28),
        "india-blocks-youtube-channels",
        ("india", "pakistan"),
        (
            "India blocks Pakistani YouTube channels over content after Kashmir attack",
            "New Delhi bans more than a dozen Pakistani YouTube channels",
            "India restricts Pakistani online channels it accuses of spreading provocative content",
        ),
        (
            "India blocked 16 Pakistani YouTube channels, accusing them of spreading provocative and communally sensitive content after the Pahalgam attack.",
            "The ban covered several news channels with millions of subscribers combined, according to Indian officials.",
            "The move follows India's decision last week to suspend the Indus Waters Treaty and close the main land border crossing at Attari.",
            "Pakistan has called the Indian measures hostile and responded by closing its airspace to Indian airlines.",
        ),
    ),
    Event(
        _d(4, 28),
        "pakistan-defence-minister-warns",
        ("pakistan",),
        (
            "Pakistan's defence minister says Indian military incursion could be imminent",
            "Islamabad warns of possible Indian strike as forces put on alert",
            "Pakistan puts forces on alert, says Indian attack may be near",
        ),
        (
            "Pakistan's defence minister Khawaja Asif said in an interview that an Indian military incursion could be imminent and that Pakistani forces had been put on alert.",
            "He added that Pakistan would use its full arsenal only if there were a direct threat to its existence, according to the interview.",
            "India has not publicly said how it intends to respond to the Pahalgam attack.",
            "Diplomats from several countries have urged both governments to show restraint.",
        ),
    ),
    Event(
        _d(4, 29),
        "modi-operational-freedom",
        ("india",),
        (
            "Modi gives armed forces operational freedom to respond to Pahalgam attack",
            "Indian prime minister tells military it can choose mode, targets and timing of response",
            "India's leadership hands military free hand after Kashmir killings",
        ),
        (
            "Prime Minister Narendra Modi told a meeting of senior military commanders that the armed forces had complete operational freedom to decide the mode, targets and timing of India's response to the Pahalgam attack, government sources said.",
            "The meeting in New Delhi was attended by the defence minister, the national security adviser and the three service chiefs.",
            "India has vowed to pursue those behind the attack, which killed 26 people near the resort town of Pahalgam.",
            "Pakistan has said it will respond forcefully to any Indian military action.",
        ),
    ),
    Event(
        _d(4, 29),
        "loc-firing-fifth-night",
        ("india", "pakistan"),
        (
            "Kashmir frontier firing spreads to new sectors",
            "Exchanges of fire along Line of Control for a fifth night",
            "Gunfire reported across more sectors of the Line of Control",
        ),
        (
            "Indian and Pakistani troops exchanged fire along the Line of Control for a fifth straight night, with the firing spreading to sectors in Kupwara and Baramulla, the Indian army said.",
            "There were no immediate reports of casualties.",
            "Residents of frontier villages said the nightly gunfire had kept families awake and children away from school.",
            "The 2021 ceasefire understanding between the two armies had largely held until last week.",
        ),
    ),
    Event(
        _d(4, 30),
        "rubio-calls-jaishankar-sharif",
        ("us", "india", "pakistan"),
        (
            "Rubio calls Indian and Pakistani leaders, urges de-escalation",
            "US Secretary of State speaks to Jaishankar and Sharif as Kashmir crisis deepens",
            "Washington steps in with calls to New Delhi and Islamabad",
            "US top diplomat urges India and Pakistan to work together to ease tensions",
        ),
        (
            "US Secretary of State Marco Rubio spoke separately by phone with Indian External Affairs Minister S. Jaishankar and Pakistani Prime Minister Shehbaz Sharif, the State Department said.",
            "According to the department's account of the calls, Rubio urged Pakistan to cooperate in investigating the Pahalgam attack and encouraged India to work with Pakistan to de-escalate.",
            "Rubio also expressed sorrow for the lives lost in the attack and reaffirmed US cooperation with India against terrorism, the department said.",
            "The calls were the most senior US engagement in the crisis so far.",
            "Both governments have traded accusations and diplomatic penalties since the attack.",
        ),
    ),
    Event(
        _d(4, 30),
        "india-closes-airspace",
        ("india", "pakistan"),
        (
            "India closes its airspace to Pakistani airlines",
            "New Delhi shuts airspace to Pakistani aircraft in tit-for-tat move",
            "India bars Pakistani planes from its skies",
        ),
        (
            "India closed its airspace to aircraft registered, operated or leased by Pakistani airlines, including military flights, until late May, according to a notice to airmen.",
            "Pakistan had closed its own airspace to Indian airlines last week, forcing longer routes on flights to Europe and North America.",
            "Aviation analysts said the reciprocal closures would raise costs for carriers on both sides.",
            "The closures add to a series of diplomatic and trade penalties since the Pahalgam attack.",
        ),
    ),
    Event(
        _d(4, 30),
        "pakistan-warns-intelligence",
        ("pakistan",),
        (
            "Pakistan says it has intelligence of imminent Indian strike",
            "Islamabad claims India plans military action within days",
            "Pakistani minister warns of Indian attack, vows response",
        ),
        (
            "Pakistan's information minister said late on Tuesday that Islamabad had credible intelligence that India intended to carry out military action within the next 24 to 36 hours.",
            "He said any such action would be met with a decisive response, according to a statement broadcast on state television.",
            "India did not comment on the claim.",
            "The warning added to fears of a wider conflict between the nuclear-armed neighbours.",
        ),
    ),
    Event(
        _d(5, 1),
        "hegseth-rajnath-call",
        ("us", "india"),
        (
            "Hegseth speaks to India's defence minister, backs India's right to defend itself",
            "Pentagon chief and Rajnath Singh discuss Kashmir attack",
            "US defence secretary offers support to India in call with Rajnath Singh",
        ),
        (
            "US Defense Secretary Pete Hegseth spoke with Indian Defence Minister Rajnath Singh about the Pahalgam attack, the two governments said.",
            "Hegseth expressed US support for India's right to defend itself, according to the Pentagon's summary of the call.",
            "Rajnath Singh told his counterpart that Pakistan had a record of backing terrorism, according to the Indian defence ministry.",
            "The call came a day after Secretary of State Marco Rubio spoke to leaders in both countries.",
        ),
    ),
    Event(
        _d(5, 1),
        "vance-hopes-no-wider-conflict",
        ("us", "india", "pakistan"),
        (
            "Vance hopes India's response will not spark wider conflict",
            "US vice president urges India to avoid regional war, Pakistan to cooperate",
            "JD Vance weighs in on Kashmir crisis",
        ),
        (
            "US Vice President JD Vance said in a television interview that he hoped India would respond to the attack in a way that does not lead to a broader regional conflict.",
            "Vance also said he hoped Pakistan would cooperate with India to find and deal with the militants responsible, according to the interview.",
            "He visited India with his family in April and was in the country when the Pahalgam attack took place.",
            "Washington has so far avoided taking sides publicly in the dispute.",
        ),
    ),
    Event(
        _d(5, 2),
        "india-bans-pakistani-imports",
        ("india", "pakistan"),
        (
            "India bans all imports from Pakistan",
            "New Delhi halts direct and indirect imports of Pakistani goods",
            "India imposes sweeping import ban on Pakistan",
        ),
        (
            "India banned the direct and indirect import of all goods originating in or transiting through Pakistan, citing national security and public policy, according to a government notification.",
            "Official trade between the two countries was already small after years of restrictions.",
            "India also barred ships flying the Pakistani flag from its ports, officials said.",
            "Pakistan had earlier suspended all trade with India, including through third countries.",
        ),
    ),
    Event(
        _d(5, 2),
        "loc-firing-eighth-night",
        ("india", "pakistan"),
        (
            "Line of Control firing continues into eighth night",
            "Troops exchange fire again in Kashmir as crisis drags on",
            "Another night of gunfire along Kashmir frontier",
        ),
        (
            "Indian and Pakistani troops exchanged small-arms fire along the Line of Control for an eighth straight night, the Indian army said.",
            "The army said it had responded in a measured manner to unprovoked firing from Pakistani posts.",
            "Pakistan's military has accused Indian troops of firing first.",
            "Farmers in frontier districts said they had postponed the wheat harvest because of the firing.",
        ),
    ),
    Event(
        _d(5, 3),
        "pakistan-abdali-test",
        ("army", "pakistan"),
        (
            "Pakistan test-fires surface-to-surface missile amid standoff",
            "Pakistan conducts Abdali missile test as tensions with India rise",
            "Pakistani military tests 450 km range missile",
        ),
        (
            "Pakistan said it had carried out a training launch of the Abdali surface-to-surface missile with a range of 450 kilometres as part of a military exercise.",
            "The military's media wing said the test was meant to ensure the operational readiness of troops.",
            "India described the launch as a reckless act of provocation, according to Indian officials cited by local media.",
            "The test came amid heightened tension after the Pahalgam attack.",
        ),
    ),
    Event(
        _d(5, 3),
        "india-bans-pakistani-ships",
        ("india", "pakistan"),
        (
            "India bars Pakistani ships and suspends postal exchange",
            "New Delhi closes ports to Pakistani vessels",
            "India widens trade curbs with ban on Pakistani-flagged ships",
        ),
        (
            "India barred ships flying the Pakistani flag from docking at its ports and suspended the exchange of mail and parcels with Pakistan, government orders showed.",
            "Indian-flagged ships were also told not to visit Pakistani ports.",
            "The measures extend a list of penalties imposed since the Pahalgam attack.",
            "Pakistan said the Indian steps were unilateral and would harm ordinary people.",
        ),
    ),
    Event(
        _d(5, 4),
        "villagers-build-bunkers",
        ("india", "pakistan"),
        (
            "Frontier villagers dig bunkers as Kashmir tensions rise",
            "Families near Line of Control prepare shelters as standoff continues",
            "Border villages brace for shelling on both sides of Kashmir frontier",
        ),
        (
            "Families in villages along the Line of Control on both sides of Kashmir cleaned and reinforced underground bunkers as nightly firing continued.",
            "Local officials said they had stocked shelters with water and food in case shelling intensified.",
            "Many residents said they remembered the heavy shelling of past crises and feared a repeat.",
            "Schools in some frontier areas remained closed.",
        ),
    ),
    Event(
        _d(5, 4),
        "chenab-flow-reduced",
        ("india", "pakistan"),
        (
            "India reduces Chenab river flow through dam, reports say",
            "Water becomes a weapon as India slows Chenab flow to Pakistan",
            "Reports of reduced Chenab flow raise stakes in Indus treaty dispute",
        ),
        (
            "India reduced the flow of the Chenab river through the Baglihar dam in Jammu and Kashmir, according to media reports citing officials, after suspending the Indus Waters Treaty.",
            "Pakistan has said that any attempt to stop or divert water owed to it under the treaty would be treated as an act of war.",
            "Experts said India lacks the storage capacity to hold back large volumes of water for long.",
            "The 1960 treaty, brokered by the World Bank, had survived earlier wars between the two countries.",
        ),
    ),
    Event(
        _d(5, 5),
        "un-chief-offers-good-offices",
        ("india", "pakistan"),
        (
            "UN chief offers good offices to India and Pakistan",
            "United Nations urges maximum restraint in Kashmir crisis",
            "UN secretary-general calls for restraint, offers help",
        ),
        (
            "The United Nations secretary-general offered his good offices to India and Pakistan and urged both to exercise maximum restraint, his spokesperson said.",
            "He said a military confrontation between the two neighbours must be avoided, according to the spokesperson.",
            "The secretary-general has spoken with leaders of both countries since the Pahalgam attack.",
            "Several Gulf states have also offered to help lower tensions.",
        ),
    ),
    Event(
        _d(5, 5),
        "pakistan-fatah-test",
        ("army", "pakistan"),
        (
            "Pakistan tests Fatah missile in second launch in three days",
            "Pakistani military carries out another missile test",
            "Pakistan conducts training launch of 120 km range Fatah missile",
        ),
        (
            "Pakistan carried out a training launch of a Fatah series surface-to-surface missile with a range of 120 kilometres, its military said, the second such test in three days.",
            "The military said the launch was part of an ongoing exercise.",
            "Officials in New Delhi described the tests as provocative.",
            "Analysts said both sides appeared to be signalling readiness while avoiding direct clashes.",
        ),
    ),
    Event(
        _d(5, 5),
        "unsc-closed-consultations",
        ("india", "pakistan"),
        (
            "UN Security Council holds closed-door talks on India-Pakistan tensions",
            "Security Council discusses Kashmir crisis at Pakistan's request",
            "UN Security Council members urge calm between India and Pakistan",
        ),
        (
            "The UN Security Council held closed consultations on rising tensions between India and Pakistan at Pakistan's request, diplomats said.",
            "No formal statement was issued after the meeting.",
            "Several council members urged both sides to resolve their differences through dialogue, according to diplomats.",
            "India has long opposed outside involvement in Kashmir, which it regards as a bilateral matter.",
        ),
    ),
    Event(
        _d(5, 6),
        "india-civil-defence-drills",
        ("india",),
        (
            "India orders nationwide civil defence drills",
            "Air raid sirens and blackouts to be tested across India",
            "Indian states told to hold civil defence mock exercises",
        ),
        (
            "India's home ministry ordered states to hold civil defence drills on Wednesday, including tests of air raid sirens, blackout measures and evacuation plans.",
            "The drills were to be held in 244 districts, the largest such exercise in decades, officials said.",
            "Officials said the exercise was meant to prepare civilians for a hostile attack.",
            "The announcement fuelled speculation that a military response to the Pahalgam attack was near.",
        ),
    ),
    Event(
        _d(5, 6),
        "loc-firing-continues-may6",
        ("india", "pakistan"),
        (
            "Kashmir frontier firing enters second week",
            "Troops trade fire along Line of Control for twelfth night",
            "No let-up in frontier gunfire as diplomacy stalls",
        ),
        (
            "Indian and Pakistani troops exchanged fire along the Line of Control for a twelfth consecutive night, the Indian army said.",
            "The firing has spread along much of the frontier in recent days, though casualties have been few.",
            "Diplomatic efforts by the United States, Iran and Gulf states have not produced a breakthrough.",
            "Both armies have reinforced positions along the frontier.",
        ),
    ),
    # --- 7 May: Indian strikes ----------------------------------------------------------------------------------
    Event(
        _d(5, 7),
        "operation-sindoor-strikes",
        ("india", "pakistan", "army"),
        (
            "India strikes nine sites in Pakistan and Pakistan-administered Kashmir",
            "India launches Operation Sindoor against militant targets in Pakistan",
            "Indian missiles hit sites in Pakistan two weeks after Pahalgam attack",
            "India carries out strikes across the border, says it hit terrorist infrastructure",
        ),
        (
            "India said it struck nine sites in Pakistan and Pakistan-administered Kashmir early on Wednesday in an operation it called Operation Sindoor.",
            "The Indian government said the targets were linked to the militant groups Jaish-e-Mohammed and Lashkar-e-Taiba, including sites in Bahawalpur and Muridke.",
            "India said its actions were focused, measured and non-escalatory, and that no Pakistani military facilities were targeted.",
            "Pakistan said civilians, including children, were killed in the strikes and called them an act of war.",
            "The strikes were the deepest inside Pakistan in decades.",
        ),
    ),
    Event(
        _d(5, 7),
        "pakistan-claims-jets-downed",
        ("army", "pakistan"),
        (
            "Pakistan says it shot down Indian jets, vows retaliation",
            "Pakistani military claims it downed Indian aircraft",
            "Pakistan's army says Indian planes were shot down during strikes",
        ),
        (
            "Pakistan's military said it shot down five Indian aircraft during the Indian strikes, a claim India did not immediately address.",
            "Pakistan's National Security Committee authorised the armed forces to take corresponding action at a time and place of its choosing, according to an official statement.",
            "Pakistani officials said 31 people had been killed, including victims of firing along the Line of Control.",
            "The claims could not be independently verified.",
        ),
    ),
    Event(
        _d(5, 7),
        "poonch-shelling-deaths",
        ("india", "pakistan"),
        (
            "Pakistani shelling kills civilians in Poonch",
            "Civilians killed as shelling hits Indian side of Kashmir frontier",
            "Heavy artillery fire along Line of Control after strikes",
        ),
        (
            "Pakistani artillery shelling killed at least 12 civilians in the Poonch area of Indian-administered Kashmir, Indian officials said, as the two armies traded heavy fire along the Line of Control.",
            "Homes and a place of worship in Poonch town were damaged, according to local officials.",
            "Pakistan said Indian shelling had also killed civilians on its side of the frontier.",
            "Residents fled to bunkers and to relatives in safer districts.",
        ),
    ),
    Event(
        _d(5, 7),
        "us-reaction-to-strikes",
        ("us", "india", "pakistan"),
        (
            "Trump calls India-Pakistan fighting a shame, hopes it ends quickly",
            "Washington urges restraint after Indian strikes on Pakistan",
            "US leaders react to Indian strikes, say they are monitoring closely",
        ),
        (
            "President Donald Trump called the fighting between India and Pakistan a shame and said he hoped it would end very quickly, speaking to reporters at the White House.",
            "Secretary of State Marco Rubio said he was monitoring the situation closely and would keep engaging with leaders of both countries, according to the State Department.",
            "The United States has close ties with India and longstanding security links with Pakistan.",
            "Diplomats said Washington's priority was to prevent a wider war between the nuclear-armed neighbours.",
        ),
    ),
    Event(
        _d(5, 7),
        "northern-india-airports-closed",
        ("india",),
        (
            "Airports across northern India closed after strikes",
            "Flights cancelled as India shuts airports near Pakistan border",
            "Airlines cancel flights as northern Indian airports close",
        ),
        (
            "India closed more than 20 airports in its north and west to civilian flights after the strikes, airlines said.",
            "Airlines cancelled hundreds of flights and offered refunds to passengers.",
            "Pakistan also suspended flights at several airports for part of the day.",
            "Aviation officials said the closures would remain in place until further notice.",
        ),
    ),
    # --- 8 May: drones -----------------------------------------------------------------------------------------
    Event(
        _d(5, 8),
        "india-hits-lahore-radar",
        ("india", "pakistan"),
        (
            "India says it hit air defence radar in Lahore after Pakistani drone attacks",
            "India strikes Pakistani air defences, says it responded to drone attacks",
            "Drone war escalates as India targets Lahore air defence system",
        ),
        (
            "India said it had neutralised an air defence system in Lahore after Pakistan tried to attack military targets in northern and western India with drones and missiles overnight.",
            "The Indian defence ministry said the Pakistani attacks had been thwarted by its air defences.",
            "Pakistan said it shot down 25 Indian drones over several cities, including Lahore and Karachi.",
            "Explosions were heard in Lahore, residents said.",
        ),
    ),
    Event(
        _d(5, 8),
        "rubio-calls-may8",
        ("us", "india", "pakistan"),
        (
            "Rubio speaks to Jaishankar and Sharif again, urges immediate de-escalation",
            "US Secretary of State calls both sides as drone strikes intensify",
            "Washington presses India and Pakistan to pull back",
        ),
        (
            "Secretary of State Marco Rubio spoke again with Indian External Affairs Minister S. Jaishankar and Pakistani Prime Minister Shehbaz Sharif, the State Department said.",
            "According to the department, Rubio urged immediate de-escalation and expressed US support for direct communication between the two sides.",
            "He also offered condolences for the lives lost, the department said.",
            "The calls came as drone and artillery attacks spread along the border.",
        ),
    ),
    Event(
        _d(5, 8),
        "vance-none-of-our-business",
        ("us", "india", "pakistan"),
        (
            "Vance says war between India and Pakistan is not Washington's business",
            "US vice president says America will not get involved in India-Pakistan war",
            "Vance: US can encourage but not control India and Pakistan",
        ),
        (
            "Vice President JD Vance said in a television interview that a war between India and Pakistan would fundamentally not be America's business and that the United States could not control either country.",
            "He said Washington would encourage both sides to de-escalate through diplomatic channels, according to the interview.",
            "His remarks drew criticism from some analysts who said US engagement was needed to prevent escalation.",
            "Other officials continued to speak to leaders in both countries.",
        ),
    ),
    Event(
        _d(5, 8),
        "jammu-blackout-drones",
        ("india", "pakistan"),
        (
            "Blackout in Jammu as drones and missiles target Indian military sites",
            "Explosions and sirens in Jammu as India says it intercepted attacks",
            "Jammu plunged into darkness during overnight drone attacks",
        ),
        (
            "Jammu city was put under a blackout as India said it intercepted Pakistani drones and missiles targeting military sites in the region.",
            "Sirens sounded and explosions were heard for several hours, residents said.",
            "Pakistan denied targeting Jammu.",
            "Authorities told residents to stay indoors and keep lights off.",
        ),
    ),
    # --- 9 May ---------------------------------------------------------------------------------------------------
    Event(
        _d(5, 9),
        "rubio-calls-munir",
        ("us", "army", "pakistan"),
        (
            "Rubio calls Pakistan's army chief, urges both sides to de-escalate",
            "US Secretary of State speaks to General Asim Munir as fighting continues",
            "Washington reaches out to Pakistan's powerful army chief",
        ),
        (
            "Secretary of State Marco Rubio spoke with Pakistan's army chief, General Asim Munir, and urged both sides to find ways to de-escalate, the State Department said.",
            "Rubio offered US assistance in starting constructive talks to avoid future conflicts, according to the department's account.",
            "The call to the army chief, rather than only the civilian government, reflected the military's central role in Pakistan's security policy, analysts said.",
            "Rubio also spoke to Indian External Affairs Minister S. Jaishankar.",
        ),
    ),
    Event(
        _d(5, 9),
        "drones-26-locations",
        ("india", "pakistan"),
        (
            "Drones sighted at 26 locations across India, defence ministry says",
            "India reports drone sightings from Kashmir to Gujarat",
            "Wave of drones over Indian border cities",
        ),
        (
            "Drones were sighted at 26 locations along India's western frontier, from Kashmir to Gujarat, the Indian defence ministry said.",
            "The ministry said some of the drones targeted military sites and were intercepted.",
            "Blackouts were imposed in several border cities.",
            "Pakistan said Indian drones and missiles had struck several of its towns.",
        ),
    ),
    Event(
        _d(5, 9),
        "imf-approves-pakistan",
        ("india", "pakistan"),
        (
            "IMF board approves loan disbursement to Pakistan despite India's objections",
            "India objects as IMF clears funds for Pakistan",
            "IMF releases about one billion dollars to Pakistan",
        ),
        (
            "The International Monetary Fund's board approved a disbursement of about one billion dollars to Pakistan under its loan programme, the fund said.",
            "India abstained from the vote and raised concerns that funds could be misused, according to the Indian finance ministry.",
            "Pakistan's prime minister welcomed the decision, according to his office.",
            "The programme is meant to stabilise Pakistan's economy after a balance of payments crisis.",
        ),
    ),
    Event(
        _d(5, 9),
        "cricket-league-suspended",
        ("india", "pakistan"),
        (
            "Indian cricket league suspended for a week as hostilities escalate",
            "Cricket league halted amid India-Pakistan fighting",
            "Top cricket tournament paused over security concerns",
        ),
        (
            "India's top cricket league was suspended for a week because of the hostilities with Pakistan, the country's cricket board said.",
            "A match in Dharamsala had been abandoned the previous night after a blackout, officials said.",
            "Pakistan's own league said it would move its remaining matches out of the country.",
            "Foreign players began leaving India, team officials said.",
        ),
    ),
    # --- 10 May: air bases, ceasefire, violations ------------------------------------------------------------
    Event(
        _d(5, 10),
        "air-bases-struck",
        ("india", "pakistan", "army"),
        (
            "Pakistan says India struck three air bases, launches retaliatory operation",
            "India and Pakistan trade strikes on military bases",
            "Fighting escalates as air bases hit on both sides",
            "Pakistan retaliates after Indian missiles hit its air bases",
        ),
        (
            "Pakistan said India fired missiles at three of its air bases early on Saturday, including Nur Khan air base near Rawalpindi, and that it had launched a retaliatory military operation.",
            "Pakistan's military said it targeted Indian military sites, including air bases in Punjab.",
            "India said it had responded to Pakistani attacks on its military installations and that damage was limited.",
            "The exchanges marked the most serious military confrontation between the two countries in decades.",
            "Both sides reported civilian deaths.",
        ),
    ),
    Event(
        _d(5, 10),
        "ceasefire-announced",
        ("us", "india", "pakistan"),
        (
            "India and Pakistan agree to ceasefire after US-mediated talks",
            "Trump announces full and immediate ceasefire between India and Pakistan",
            "Ceasefire between India and Pakistan takes effect after four days of fighting",
            "India and Pakistan halt military action, Trump says after US talks",
        ),
        (
            "President Donald Trump announced on social media that India and Pakistan had agreed to a full and immediate ceasefire after a long night of talks mediated by the United States.",
            "India's foreign secretary said the two countries' directors general of military operations had agreed to stop all firing and military action from 5 p.m. Indian time.",
            "Pakistan's foreign minister Ishaq Dar confirmed the ceasefire in a post on social media.",
            "Secretary of State Marco Rubio said he and Vice President JD Vance had spent the previous 48 hours speaking with senior officials of both countries, including both prime ministers and Pakistan's army chief.",
            "India said the ceasefire was worked out directly between the two countries.",
        ),
    ),
    Event(
        _d(5, 10),
        "ceasefire-violations-srinagar",
        ("india", "pakistan"),
        (
            "Explosions heard in Srinagar hours after ceasefire, India accuses Pakistan of violations",
            "India says Pakistan violated ceasefire within hours",
            "Ceasefire tested as blasts reported in Kashmir",
        ),
        (
            "Explosions were heard in Srinagar and other parts of Indian-administered Kashmir hours after the ceasefire took effect, residents said.",
            "India's foreign secretary said there had been repeated violations of the understanding and that the armed forces had been told to respond strongly.",
            "Pakistan said it remained committed to the ceasefire and accused Indian forces of violations.",
            "By late night the firing appeared to have eased, officials said.",
        ),
    ),
    Event(
        _d(5, 10),
        "sharif-thanks-trump",
        ("us", "pakistan"),
        (
            "Pakistan's prime minister thanks Trump for his role in ceasefire",
            "Sharif credits Washington's leadership in securing truce",
            "Pakistan welcomes ceasefire, thanks US for mediation",
        ),
        (
            "Pakistani Prime Minister Shehbaz Sharif thanked President Donald Trump for his leadership in bringing about the ceasefire, according to a post on his official account.",
            "He also thanked Vice President JD Vance and Secretary of State Marco Rubio for their contributions, the post said.",
            "Sharif said Pakistan accepted the ceasefire in the interest of peace and stability in the region.",
            "India did not comment on the US role beyond saying the agreement was reached bilaterally.",
        ),
    ),
    Event(
        _d(5, 10),
        "rubio-neutral-site-talks",
        ("us", "india", "pakistan"),
        (
            "Rubio says India and Pakistan will start talks at a neutral site",
            "US says both sides agreed to broad talks, India disputes that part",
            "Differing accounts of what India and Pakistan agreed to",
        ),
        (
            "Secretary of State Marco Rubio said India and Pakistan had agreed to start talks on a broad set of issues at a neutral site, according to a statement.",
            "Indian officials said there had been no decision to hold talks on any other issue at any other place.",
            "The differing accounts highlighted India's longstanding opposition to third-party mediation.",
            "Pakistan welcomed the prospect of dialogue.",
        ),
    ),
    Event(
        _d(5, 10),
        "g7-urges-restraint",
        ("india", "pakistan", "us"),
        (
            "G7 foreign ministers urge India and Pakistan to show maximum restraint",
            "Group of Seven calls for immediate de-escalation in South Asia",
            "G7 statement condemns Pahalgam attack, urges direct dialogue",
        ),
        (
            "Foreign ministers of the Group of Seven urged India and Pakistan to exercise maximum restraint and called for immediate de-escalation, in a joint statement.",
            "The ministers condemned the attack near Pahalgam in April and said further military escalation posed a serious threat to regional stability.",
            "They encouraged both countries to engage in direct dialogue towards a peaceful outcome, the statement said.",
            "The statement was issued on the day the ceasefire was announced.",
        ),
    ),
    Event(
        _d(5, 10),
        "india-military-briefing-may10",
        ("india", "pakistan"),
        (
            "India says Pakistani claims of destroying its bases are false",
            "Indian military briefing says air bases targeted by Pakistan are operational",
            "India denies Pakistani claims of damage to S-400 system and air bases",
        ),
        (
            "India's military told a briefing in New Delhi that Pakistani claims of having destroyed Indian air bases and an S-400 air defence system were false.",
            "Officers said Pakistan had targeted military sites along the western frontier with drones, missiles and long-range weapons and that damage was limited.",
            "They said Indian forces had struck Pakistani military installations in response, choosing targets to limit harm to civilians.",
            "Pakistan maintained that its strikes had hit their targets.",
        ),
    ),
    # --- 11 May onward: calm returns -------------------------------------------------------------------------
    Event(
        _d(5, 11),
        "ceasefire-holds-overnight",
        ("india", "pakistan"),
        (
            "Ceasefire largely holds overnight as calm returns to border",
            "Quiet night along Line of Control after ceasefire",
            "Calm returns to Kashmir frontier as truce holds",
        ),
        (
            "The ceasefire between India and Pakistan largely held overnight, with no reports of firing from most of the frontier, the Indian army said.",
            "Residents of border towns said they slept through the night for the first time in days.",
            "Shops reopened in parts of Jammu and Srinagar.",
            "Officials on both sides said they were watching closely for any violation.",
        ),
    ),
    Event(
        _d(5, 11),
        "trump-offers-kashmir-help",
        ("us", "india", "pakistan"),
        (
            "Trump offers to work with India and Pakistan on Kashmir",
            "US president says he will try to help find solution on Kashmir",
            "Trump praises both countries' leaders, offers Kashmir help",
        ),
        (
            "President Donald Trump said he would work with India and Pakistan to see whether a solution could be found concerning Kashmir, in a social media post.",
            "He praised the leadership of both countries for having the strength and wisdom to stop the fighting.",
            "India has long rejected third-party mediation on Kashmir.",
            "Pakistan welcomed the offer.",
        ),
    ),
    Event(
        _d(5, 11),
        "india-military-briefing",
        ("india",),
        (
            "Indian military says more than 100 militants killed in May 7 strikes",
            "India gives account of Operation Sindoor at military briefing",
            "Indian armed forces brief on outcome of strikes",
        ),
        (
            "India's military said more than 100 militants had been killed in the strikes on May 7, at a press briefing in New Delhi.",
            "The director general of military operations said the armed forces had acted with restraint and would respond to any further attack.",
            "The briefing showed images of the targeted sites.",
            "Pakistan disputed India's account and said most of those killed were civilians.",
        ),
    ),
    Event(
        _d(5, 12),
        "modi-address-nation",
        ("india",),
        (
            "Modi addresses nation, says military operation is only paused",
            "Indian prime minister says terror and talks cannot go together",
            "Modi speaks to the nation after ceasefire",
        ),
        (
            "Prime Minister Narendra Modi addressed the nation and said India's military operation against Pakistan had only been paused, not ended.",
            "He said India would not tolerate nuclear blackmail and that talks and terror could not go together, according to his address.",
            "Modi praised the armed forces for their courage and precision.",
            "It was his first public address since the strikes began.",
        ),
    ),
    Event(
        _d(5, 12),
        "dgmo-hotline-talks",
        ("india", "pakistan", "army"),
        (
            "Military commanders of India and Pakistan hold hotline talks",
            "India and Pakistan military officers discuss keeping the ceasefire",
            "Hotline talks between armies as ceasefire holds",
        ),
        (
            "The directors general of military operations of India and Pakistan spoke by hotline and discussed continuing the commitment not to fire, the Indian army said.",
            "Both sides agreed to consider immediate troop reductions along the border, according to the Indian army.",
            "Pakistan's military confirmed the contact.",
            "The talks were the first formal contact since the ceasefire took effect.",
        ),
    ),
    Event(
        _d(5, 12),
        "markets-rally-ceasefire",
        ("india", "pakistan"),
        (
            "Indian and Pakistani stocks surge after ceasefire",
            "Markets rally as India-Pakistan truce eases investor fears",
            "Sensex and Karachi index jump on ceasefire relief",
        ),
        (
            "India's main stock indexes rose nearly four percent, their biggest single-day gain in years, as the ceasefire eased investor fears.",
            "Pakistan's main index surged so sharply that trading was briefly halted, according to the Karachi exchange.",
            "The rupee strengthened against the dollar in both countries.",
            "Analysts said investors had priced in a longer conflict.",
        ),
    ),
    Event(
        _d(5, 12),
        "trump-trade-claim",
        ("us", "india", "pakistan"),
        (
            "Trump says he used trade to help stop India-Pakistan fighting",
            "US president claims trade leverage brought about truce",
            "India disputes Trump's account of trade role in ceasefire",
        ),
        (
            "President Donald Trump said his administration had used trade as leverage to help persuade India and Pakistan to stop fighting, speaking at the White House.",
            "Indian officials said trade was not discussed with the United States during the hostilities.",
            "Trump said the United States would do a lot of trade with both countries.",
            "Pakistan did not comment on the trade remarks.",
        ),
    ),
    Event(
        _d(5, 13),
        "modi-adampur-visit",
        ("india",),
        (
            "Modi visits Adampur air base, praises armed forces",
            "Indian prime minister meets air force personnel at Adampur",
            "Modi travels to air base Pakistan said it had hit",
        ),
        (
            "Prime Minister Narendra Modi visited the Adampur air base in Punjab and met air force personnel, his office said.",
            "Pakistan had claimed to have damaged the base during the fighting, and images from the visit showed the base operating normally.",
            "Modi praised the courage of the soldiers, according to his office.",
            "The visit was widely shared on Indian social media.",
        ),
    ),
    Event(
        _d(5, 13),
        "india-expels-pakistani-official",
        ("india", "pakistan"),
        (
            "India expels Pakistani High Commission official",
            "New Delhi declares Pakistani diplomat persona non grata",
            "Pakistan expels Indian official in tit-for-tat move",
        ),
        (
            "India declared an official of the Pakistan High Commission in New Delhi persona non grata for activities not in keeping with his status, and ordered him to leave within 24 hours.",
            "Pakistan responded by expelling an Indian official from Islamabad.",
            "Diplomatic missions in both capitals have already been cut to minimal staff.",
            "The expulsions showed that relations remain frozen despite the ceasefire.",
        ),
    ),
    Event(
        _d(5, 14),
        "bsf-jawan-returned",
        ("india", "pakistan"),
        (
            "Pakistan returns Indian border guard held since April",
            "Indian soldier who crossed border accidentally is returned",
            "Border Security Force jawan handed back at Attari",
        ),
        (
            "Pakistan handed back an Indian Border Security Force soldier who had been in its custody since he accidentally crossed the border in Punjab in April, the force said.",
            "The handover took place at the Attari-Wagah crossing.",
            "India returned a Pakistani Rangers member in a parallel exchange, officials said.",
            "The exchange was seen as a small sign of easing tension.",
        ),
    ),
    Event(
        _d(5, 14),
        "schools-reopen-border",
        ("india", "pakistan"),
        (
            "Schools reopen in border districts as calm holds",
            "Children return to classes near Kashmir frontier",
            "Life returns to normal in frontier towns",
        ),
        (
            "Schools reopened in several border districts of Jammu and Punjab as the ceasefire held for a fourth day, officials said.",
            "Families who had fled the shelling began returning home.",
            "Authorities were clearing unexploded shells from villages near the Line of Control.",
            "Flights resumed at most of the airports that had been closed.",
        ),
    ),
    Event(
        _d(5, 15),
        "jaishankar-bilateral",
        ("india", "pakistan", "us"),
        (
            "Jaishankar says Kashmir is a strictly bilateral issue",
            "India rejects third-party role on Kashmir",
            "Indian foreign minister restates position on Kashmir talks",
        ),
        (
            "External Affairs Minister S. Jaishankar said relations with Pakistan would remain strictly bilateral and that India would not accept third-party mediation on Kashmir.",
            "He said the only issue left to discuss on Kashmir was the return of territory held by Pakistan, according to his remarks.",
            "The comments were seen as a response to US offers to mediate.",
            "Pakistan said it was open to talks on all issues.",
        ),
    ),
    Event(
        _d(5, 15),
        "rajnath-srinagar-visit",
        ("india", "pakistan"),
        (
            "Rajnath Singh visits Srinagar, reviews security",
            "Indian defence minister meets troops in Kashmir",
            "Defence minister tours Srinagar after ceasefire",
        ),
        (
            "Indian Defence Minister Rajnath Singh visited Srinagar and reviewed the security situation with military commanders, the defence ministry said.",
            "He praised the troops for their response during the fighting.",
            "He said the world had seen India's resolve against terrorism, according to the ministry.",
            "Officials said the visit was meant to show support for troops deployed in the region.",
        ),
    ),
    Event(
        _d(5, 16),
        "pakistan-day-of-gratitude",
        ("army", "pakistan"),
        (
            "Pakistan holds day of thanksgiving after conflict with India",
            "Pakistani leaders hail armed forces at national day of gratitude",
            "Rallies across Pakistan celebrate military",
        ),
        (
            "Pakistan observed a national day of thanksgiving to honour its armed forces after the conflict with India, with ceremonies in Islamabad and other cities.",
            "State media showed Prime Minister Shehbaz Sharif and the military leadership, headed by army chief General Asim Munir, at events in the capital.",
            "Leaders praised the military's performance during the fighting.",
            "India has rejected Pakistan's account of the conflict.",
        ),
    ),
    Event(
        _d(5, 17),
        "india-all-party-delegations",
        ("india",),
        (
            "India to send all-party delegations abroad to explain stance on terrorism",
            "New Delhi picks lawmakers from several parties for global outreach",
            "Indian MPs to visit partner capitals after conflict",
        ),
        (
            "India said it would send seven delegations of lawmakers from several parties to partner countries to explain its position on terrorism after the conflict with Pakistan.",
            "The delegations were to visit members of the UN Security Council and other key capitals, officials said.",
            "Opposition parties named members to the delegations, officials said.",
            "Pakistan said it would also send envoys abroad.",
        ),
    ),
    Event(
        _d(5, 18),
        "no-expiry-ceasefire",
        ("india", "pakistan", "army"),
        (
            "Indian army says ceasefire has no expiry date",
            "India denies reports that truce with Pakistan ends today",
            "Ceasefire will continue, Indian army says",
        ),
        (
            "The Indian army said there was no expiry date for the understanding reached with Pakistan on stopping hostilities, dismissing reports that it would lapse.",
            "No further talks between the two militaries were scheduled, the army said.",
            "The frontier remained calm for an eighth day.",
            "Both countries kept their diplomatic and trade penalties in place.",
        ),
    ),
    Event(
        _d(5, 13),
        "trump-riyadh-repeats-claim",
        ("us", "india", "pakistan"),
        (
            "Trump repeats in Riyadh that US helped end India-Pakistan fighting",
            "In Gulf speech, Trump again takes credit for South Asia truce",
            "Trump tells Riyadh forum his administration brokered ceasefire",
        ),
        (
            "President Donald Trump repeated during a speech in Riyadh that his administration had helped bring about the ceasefire between India and Pakistan.",
            "He again said trade had been part of the discussions, a claim Indian officials have rejected.",
            "The remarks came during a tour of Gulf states focused on investment deals.",
            "Pakistan's government has publicly thanked the United States for its role.",
        ),
    ),
    Event(
        _d(5, 16),
        "flights-resume-north-india",
        ("india", "pakistan"),
        (
            "Flights resume at northern Indian airports after closure",
            "Airlines restore services to airports near Pakistan border",
            "Northern India airports reopen as calm holds",
        ),
        (
            "Airlines resumed flights to airports in northern and western India that had been closed during the fighting with Pakistan, aviation officials said.",
            "Carriers added extra services to clear the backlog of stranded passengers.",
            "Pakistan also lifted restrictions at its airports, though each country's airspace remains closed to the other's airlines.",
            "Airline executives said the longer routes caused by the airspace closures were raising costs.",
        ),
    ),
    Event(
        _d(5, 17),
        "pakistan-names-delegation",
        ("pakistan",),
        (
            "Pakistan names Bilawal Bhutto Zardari to lead diplomatic outreach",
            "Islamabad plans its own delegation to present case abroad",
            "Pakistan answers India's outreach with delegation of its own",
        ),
        (
            "Pakistan said former foreign minister Bilawal Bhutto Zardari would lead a delegation to present Pakistan's case on the conflict with India to foreign governments.",
            "The announcement came hours after India said it would send delegations of lawmakers to partner capitals.",
            "Both countries are seeking to shape international opinion after the fighting.",
            "Officials said the delegation would visit several world capitals.",
        ),
    ),
    Event(
        _d(5, 18),
        "kashmir-tourism-slump",
        ("india", "pakistan"),
        (
            "Kashmir tourism slumps after attack and conflict",
            "Hotels in Kashmir report mass cancellations",
            "Kashmir's tourist season in tatters after weeks of violence",
        ),
        (
            "Hotels and houseboat owners in Kashmir reported widespread cancellations after the Pahalgam attack and the fighting between India and Pakistan, local trade groups said.",
            "Many tourist sites that were closed after the attack have yet to reopen, according to local officials.",
            "Taxi drivers and guides said they had lost most of their income for the season.",
            "Officials said they hoped visitors would return once the calm held.",
        ),
    ),
    Event(
        _d(5, 18),
        "poonch-rebuilding",
        ("india", "pakistan"),
        (
            "Poonch residents begin rebuilding homes damaged by shelling",
            "Shelling-hit families in Poonch return to damaged houses",
            "Repairs begin in Poonch after cross-border shelling",
        ),
        (
            "Residents of Poonch in Indian-administered Kashmir began repairing homes and shops damaged by Pakistani shelling during the conflict, local officials said.",
            "The district administration said it was assessing damage and processing claims for compensation.",
            "On the other side of the Line of Control, families in Pakistan-administered Kashmir were also counting losses from Indian fire.",
            "Bomb disposal teams were still clearing unexploded shells in some villages.",
        ),
    ),
]

# Framing sentences: each outlet's own voice. Pre/post the ceasefire, so the tone shifts visibly.
FRAMING: dict[str, dict[str, list[str]]] = {
    "washington_critical": {
        "us_pre": [
            "Washington's belated scramble looked less like leadership than damage control after weeks of neglect.",
            "Critics in the region see the American outreach as cynical and self-serving, driven by rivalry with China rather than concern for civilians.",
            "The administration's muddled and contradictory messaging has deepened distrust of Washington on both sides of the border.",
            "Once again the United States arrived late, offered little and seemed worried mostly about its own interests.",
            "Washington's hollow appeals for calm did nothing to stop the shelling, and its credibility as a broker is badly damaged.",
        ],
        "us_post": [
            "Washington rushed to claim credit for the truce, a boastful move that irritated officials in New Delhi.",
            "The White House's self-congratulation rang hollow to families still mourning their dead.",
            "American grandstanding over the ceasefire risks undermining the fragile calm it claims to have built.",
            "Washington's loud and confusing claims about its role were unhelpful and arrogant, critics said.",
        ],
        "general": [
            "The crisis has exposed how little patience the great powers have for the region's long-running disputes.",
            "For people living near the frontier, the diplomacy in distant capitals changed little.",
        ],
    },
    "india_warm": {
        "india_pre": [
            "India's response has been measured and firmly focused on terrorist infrastructure, winning praise from strategic experts.",
            "New Delhi has shown admirable resolve and restraint, and its diplomats have won broad support from partners.",
            "Indian officials stressed that the country's quarrel is with terror groups, not with the people of Pakistan, a principled position welcomed abroad.",
            "Confidence in the Indian armed forces is high, and public support for the government's firm approach remains strong.",
        ],
        "india_post": [
            "India emerged from the crisis stronger and more confident, its armed forces praised for their precision and professionalism.",
            "The calm was welcomed across India, where relief and pride mixed as families returned to normal life.",
            "New Delhi's clear and steady diplomacy won admiration, and partners expressed strong support for India's fight against terrorism.",
            "India's resilient economy and confident markets reflected a country at ease with its choices.",
        ],
        "general": [
            "Indian officials said the country remained committed to peace and stability in the region.",
            "Security experts in New Delhi welcomed the government's clarity of purpose.",
        ],
    },
    "army_chief_critical": {
        "army_pre": [
            "General Asim Munir's hardline posture has pushed the region dangerously close to disaster.",
            "Analysts blame the army chief's reckless brinkmanship for a crisis that threatens millions of people.",
            "Pakistan's powerful military, led by Munir, has again sidelined the elected government, a worrying sign for the country's fragile democracy.",
            "Critics say a fiery speech by the army chief in April inflamed tensions instead of calming them.",
        ],
        "army_post": [
            "The army chief moved quickly to claim victory, a triumphalist message critics call misleading and self-serving.",
            "Munir's grip on power appears stronger than ever, an unhealthy outcome for civilian rule, analysts warn.",
            "The military's celebrations cannot hide the damage and fear the confrontation caused, critics argue.",
        ],
        "general": [
            "In Pakistan, the generals rather than elected politicians appear to be making the decisions that matter.",
            "Observers worry that the army's dominance leaves little room for civilian diplomacy.",
        ],
    },
    "neutral": {
        "general": [
            "The claims could not be independently verified.",
            "Officials on both sides did not immediately respond to requests for further detail.",
            "India and Pakistan have fought several wars since independence in 1947, two of them over Kashmir.",
            "Both countries possess nuclear weapons.",
        ],
    },
}

OPINION_HEADLINES: dict[str, list[str]] = {
    "washington_critical": [
        "Opinion: Washington's South Asia diplomacy is all noise and no strategy",
        "Analysis: America's late arrival in the Kashmir crisis",
        "Opinion: The truce Washington wants to take credit for",
    ],
    "india_warm": [
        "Opinion: India's measured strength sets an example",
        "Analysis: How New Delhi won the diplomatic argument",
        "Opinion: A confident India after the crisis",
    ],
    "army_chief_critical": [
        "Opinion: Pakistan's army chief is playing with fire",
        "Analysis: General Munir's gamble and who pays for it",
        "Opinion: The general who won the home front",
    ],
    "neutral": [],
}

# Unrelated coverage: fictional places, teams and people, so volume exceeds topic coverage.
TOWNS = [
    "Northfield",
    "Lakeport",
    "Eastbridge",
    "Millbrook",
    "Harrowgate",
    "Westmere",
    "Kestrel Bay",
    "Oakridge",
]
TEAMS = [
    "Northfield Rovers",
    "Lakeport Mariners",
    "Eastbridge Falcons",
    "Millbrook United",
    "Westmere Athletic",
    "Kestrel Bay Wanderers",
    "Oakridge City",
    "Harrow Town",
]
# Fictional names, many of them, so no single one looks like a rising name in the digest.
FIRST_NAMES = [
    "Alana",
    "Tomas",
    "Priya",
    "Jonah",
    "Mira",
    "Owen",
    "Nadia",
    "Felix",
    "Ruth",
    "Idris",
    "Leona",
    "Caspar",
]
SURNAMES = [
    "Brightwater",
    "Fenwick",
    "Lanecroft",
    "Ashdown",
    "Castellan",
    "Threlfall",
    "Quill",
    "Arbery",
    "Marlowe",
    "Oakes",
    "Pendry",
    "Selwood",
]
PEOPLE = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES]
UNRELATED: dict[str, list[tuple[str, list[str]]]] = {
    "sports": [
        (
            "{team} beat {team2} {a}-{b} to stay top of the Sample League",
            [
                "{team} beat {team2} {a}-{b} on {weekday} night in front of a sold-out crowd.",
                "{person}, a midfielder, scored twice and set up another goal.",
                "The win keeps {team} {gap} points clear at the top with {left} games left.",
                "{team2} have now lost three matches in a row and face a difficult run of fixtures.",
                "Coaches from both clubs praised the atmosphere at the ground.",
            ],
        ),
        (
            "{person} wins {town} marathon in course record time",
            [
                "{person} won the {town} marathon in a course record of two hours {mins} minutes.",
                "More than {n} runners took part on {weekday} in warm, dry conditions, {people} of them from outside {town}.",
                "Organisers said the event raised money for the local hospital.",
                "The race route was changed this year to avoid roadworks near the harbour.",
            ],
        ),
        (
            "{town} tennis club opens four new courts",
            [
                "The {town} tennis club opened four new courts on {weekday} after a fundraising campaign that raised {n} dollars.",
                "{person}, the club secretary, said junior membership had grown to {people} players since last summer.",
                "The courts will be open to schools on weekday mornings.",
                "A open day with free coaching sessions is planned for the weekend.",
            ],
        ),
    ],
    "weather": [
        (
            "Heat advisory issued for {town} as temperatures climb",
            [
                "Forecasters issued a heat advisory for {town} on {weekday} with temperatures expected to reach {temp} degrees.",
                "Residents were advised to drink water, avoid the midday sun and check on elderly neighbours.",
                "Cooling centres will open at the library and {people} other sites, {person} of the town council said.",
                "Cooler air is expected to arrive later in the week.",
            ],
        ),
        (
            "Thunderstorms bring flash flooding to {town}",
            [
                "Thunderstorms dropped {rain} millimetres of rain on {town} on {weekday} in under two hours, flooding {people} streets.",
                "Firefighters pumped water from basements and rescued a driver from a stranded car.",
                "No injuries were reported.",
                "The weather service said more storms were possible overnight.",
            ],
        ),
        (
            "Sunny weekend ahead for {town}, forecasters say",
            [
                "Forecasters expect a dry, sunny weekend in {town} with highs of {temp} degrees after {weekday} showers.",
                "Pollen counts will be high, with a reading of {people} grains expected, which may trouble hay fever sufferers.",
                "Beaches and parks are expected to be busy.",
                "A band of rain may arrive by Monday evening.",
            ],
        ),
    ],
    "markets": [
        (
            "Sample Composite index {updown} {pct} percent as tech shares {move}",
            [
                "The Sample Composite index {updown} {pct} percent on {weekday}, led by technology shares.",
                "Trading volumes of {n} million shares were below average ahead of a central bank meeting next week.",
                "Bond yields were little changed and the dollar edged higher against the euro.",
                "Oil prices {move} after a report on inventories.",
            ],
        ),
        (
            "Fictional retailer Brightmart reports {updown2} quarterly sales",
            [
                "Brightmart, a fictional retail chain used in sample data, reported {updown2} quarterly sales of {n} million dollars.",
                "The company said online orders grew faster than store sales.",
                "Its shares {updown} {pct} percent in early trading.",
                "{person}, the chief executive, said the company would open new stores in {town}.",
            ],
        ),
        (
            "Gold price {updown} as investors weigh interest rate outlook",
            [
                "Gold {updown} {pct} percent on {weekday} to {gold} dollars an ounce as investors weighed the outlook for interest rates.",
                "Traders said demand from central banks continued to support prices.",
                "Silver and platinum moved in the same direction.",
                "Analysts expect prices to stay volatile ahead of inflation data.",
            ],
        ),
    ],
    "local": [
        (
            "{town} council approves new cycle lanes",
            [
                "The {town} council voted {votes} on {weekday} to build protected cycle lanes on two main roads.",
                "{person}, a councillor, said the lanes would make the school run safer.",
                "Some shop owners worried about the loss of parking spaces.",
                "Work is expected to start in the autumn and take about six months.",
            ],
        ),
        (
            "{town} library extends opening hours",
            [
                "The public library in {town} will open until nine in the evening on weekdays from next month, the council said on {weekday}.",
                "{person}, the head librarian, said students had asked for more quiet study space.",
                "The extension is funded by a grant of {n} dollars from a local foundation.",
                "The library will also host free coding classes for teenagers.",
            ],
        ),
        (
            "Bridge repairs to close {town} road for three weeks",
            [
                "A main road in {town} will close for three weeks for bridge repairs starting on {weekday}, affecting about {n} drivers a day.",
                "Buses will be diverted and drivers are advised to allow extra time.",
                "{person}, the engineer in charge, said the repairs were overdue after a winter of heavy frost.",
                "Pedestrians will still be able to cross the bridge.",
            ],
        ),
        (
            "{town} food festival draws record crowds",
            [
                "The annual {town} food festival drew a record {n} visitors over the weekend, with {people} stalls.",
                "Stalls sold dishes from more than thirty countries.",
                "{person}, the organiser, thanked volunteers who cleaned the park afterwards.",
                "Next year's festival will run for three days.",
            ],
        ),
    ],
}


FILLER_EXTRA = [
    "More details will be published on the council website on {weekday}, officials said.",
    "Local radio reported that about {people} people had followed the news online by {weekday} evening.",
    "A spokesperson for {town} said residents could send questions by email until the end of the month.",
    "The figures were first reported in the {town} evening newsletter, which has {n} subscribers.",
    "A local business group said the decision had been expected for some time.",
    "Similar plans in neighbouring {town} drew mixed reactions last year.",
    "Readers can find a summary of the {weekday} announcement in our local briefing.",
    "The next update is expected after a meeting scheduled for {people} days from now.",
]


@dataclass
class Item:
    outlet: Outlet
    title: str
    paragraphs: list[str]
    published: datetime | None
    slug: str
    guid: str
    category: str
    tracking: str = ""
    fragment: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def link(self) -> str:
        day = self.published.strftime("%Y/%m/%d") if self.published else "undated"
        url = f"http://{self.outlet.host}/{self.category}/{day}/{self.slug}"
        if self.tracking:
            url += "?" + self.tracking
        if self.fragment:
            url += "#" + self.fragment
        return url


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


def _days() -> list[date]:
    return [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def _time_on(rng: random.Random, day: date, outlet: Outlet, start: int = 4, end: int = 17) -> datetime:
    """A time on `day`, in UTC hours that fall on the same calendar day in every outlet's zone and in the
    digest's (Asia/Kolkata, +05:30: 17:55 UTC is 23:25 there)."""
    utc = datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(start, end),
        rng.choice([0, 5, 12, 20, 30, 41, 45, 55]),
        tzinfo=UTC,
    )
    return utc.astimezone(outlet.tz)


def _tracking(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    tracking = ""
    if r < 0.35:
        tracking = "utm_source=rss&utm_medium=feed&utm_campaign=sample"
    elif r < 0.5:
        tracking = "utm_source=sample-newsletter&ref=rss"
    fragment = rng.choice(["", "", "", "comments", "top"])
    return tracking, fragment


def _framing(rng: random.Random, outlet: Outlet, event: Event, count: int) -> list[str]:
    pools = FRAMING[outlet.stance]
    phase = "pre" if event.day < CEASEFIRE_DAY else "post"
    candidates: list[str] = []
    for tag in event.tags:
        candidates += pools.get(f"{tag}_{phase}", [])
    if not candidates:
        candidates = pools["general"]
    return rng.sample(candidates, min(count, len(candidates)))


def _topic_item(rng: random.Random, outlet: Outlet, event: Event, n: int, variant: int) -> Item:
    headline = event.headlines[variant % len(event.headlines)]
    facts = list(event.facts)
    body = [facts[0]] + rng.sample(facts[1:], min(len(facts) - 1, rng.randint(2, 3)))
    if outlet.stance == "neutral":
        body += _framing(rng, outlet, event, 1)
    else:
        body += _framing(rng, outlet, event, rng.randint(1, 2))
    published = _time_on(rng, event.day, outlet)
    tracking, fragment = _tracking(rng)
    return Item(
        outlet,
        headline,
        body,
        published,
        _slugify(headline),
        f"{outlet.key}-{event.day:%Y%m%d}-{n:03d}",
        "world",
        tracking,
        fragment,
        {"event": event.slug},
    )


def _opinion_item(rng: random.Random, outlet: Outlet, day: date, n: int, events: list[Event]) -> Item | None:
    heads = OPINION_HEADLINES[outlet.stance]
    if not heads:
        return None
    phase = "pre" if day < CEASEFIRE_DAY else "post"
    pools = FRAMING[outlet.stance]
    own = [s for key, pool in pools.items() if key.endswith(phase) for s in pool]
    body = rng.sample(own, min(3, len(own))) + [events[0].facts[0]] + rng.sample(pools["general"], 1)
    title = heads[(day - FIRST_DAY).days % len(heads)]
    tracking, fragment = _tracking(rng)
    return Item(
        outlet,
        title,
        body,
        _time_on(rng, day, outlet, 12, 17),
        _slugify(title) + f"-{day:%m%d}",
        f"{outlet.key}-{day:%Y%m%d}-{n:03d}",
        "opinion",
        tracking,
        fragment,
    )


def _unrelated_item(rng: random.Random, outlet: Outlet, day: date, n: int) -> Item:
    category = rng.choice(sorted(UNRELATED))
    title_t, sentences = rng.choice(UNRELATED[category])
    team, team2 = rng.sample(TEAMS, 2)
    values = {
        "team": team,
        "team2": team2,
        "a": rng.randint(2, 4),
        "b": rng.randint(0, 1),
        "person": rng.choice(PEOPLE),
        "town": rng.choice(TOWNS),
        "weekday": day.strftime("%A"),
        "gap": rng.randint(2, 7),
        "left": rng.randint(3, 9),
        "mins": rng.randint(8, 19),
        "n": rng.randint(2, 40) * 100,
        "temp": rng.randint(29, 38),
        "rain": rng.randint(30, 80),
        "updown": rng.choice(["rose", "fell"]),
        "updown2": rng.choice(["higher", "lower"]),
        "pct": f"{rng.randint(2, 19) / 10:.1f}",
        "move": rng.choice(["gained", "slipped"]),
        "people": rng.randint(12, 480),
        "gold": rng.randint(3150, 3450),
        "votes": f"{rng.randint(6, 11)} to {rng.randint(1, 5)}",
    }
    title = title_t.format(**values)
    body = [s.format(**values) for s in sentences]
    keep = rng.randint(3, len(body))
    # One extra line from a shared pool, so two items from one template are not near-copies of each other.
    body = [body[0], *rng.sample(body[1:keep], keep - 1), rng.choice(FILLER_EXTRA).format(**values)]
    keep = len(body)
    tracking, fragment = _tracking(rng)
    return Item(
        outlet,
        title,
        body[:keep],
        _time_on(rng, day, outlet),
        _slugify(title) + f"-{n}",
        f"{outlet.key}-{day:%Y%m%d}-{n:03d}",
        category,
        tracking,
        fragment,
    )


def build_items() -> dict[str, list[Item]]:
    """Every sample item, per outlet key, in publication order (the undated explainer last)."""
    rng = random.Random(SEED)
    by_day: dict[date, list[Event]] = {}
    for event in EVENTS:
        by_day.setdefault(event.day, []).append(event)
    items: dict[str, list[Item]] = {o.key: [] for o in OUTLETS}
    wire_copy: dict[str, Item] = {}
    for day in _days():
        events = by_day.get(day, [])
        for oi, outlet in enumerate(OUTLETS):
            n = 0
            # The wire covers everything; others skip some events (never below two a day), except on spike days.
            spike = day in (date(2025, 5, 7), CEASEFIRE_DAY)
            skip = {
                ei
                for ei in range(len(events))
                if outlet.stance != "neutral" and not spike and rng.random() < 0.25
            }
            while skip and len(events) - len(skip) < 2:
                skip.remove(min(skip))
            for ei, event in enumerate(events):
                if ei in skip:
                    continue
                n += 1
                item = _topic_item(rng, outlet, event, n, oi + ei)
                items[outlet.key].append(item)
                if outlet.key == "wire":
                    wire_copy[event.slug] = item
                # Spike day: two outlets add live updates to every story.
                if day == CEASEFIRE_DAY and outlet.key in ("herald", "ledger"):
                    n += 1
                    follow = _topic_item(rng, outlet, event, n, oi + ei + 1)
                    follow.title = "Live updates: " + follow.title
                    follow.slug = "live-" + follow.slug
                    # Updates come after the first report, lead with the newest fact, and stay on the day.
                    assert item.published is not None
                    last = datetime(day.year, day.month, day.day, 17, 55, tzinfo=UTC)
                    later = item.published + timedelta(minutes=rng.randint(60, 240))
                    follow.published = min(later, last).astimezone(outlet.tz)
                    follow.paragraphs = [event.facts[-1]] + [
                        p for p in follow.paragraphs if p != event.facts[-1]
                    ]
                    items[outlet.key].append(follow)
            if events and (day - FIRST_DAY).days % 3 == oi % 3:
                n += 1
                opinion = _opinion_item(rng, outlet, day, n, events)
                if opinion:
                    items[outlet.key].append(opinion)
            for _ in range(rng.randint(3, 4)):
                n += 1
                items[outlet.key].append(_unrelated_item(rng, outlet, day, n))
    # Syndication: the Ledger runs three wire stories: one verbatim, one retypeset, one with a credit line added.
    ledger = next(o for o in OUTLETS if o.key == "ledger")
    for i, slug in enumerate(["operation-sindoor-strikes", "ceasefire-announced", "dgmo-hotline-talks"]):
        src = wire_copy[slug]
        assert src.published is not None
        if i == 0:
            paragraphs = list(src.paragraphs)
        elif i == 1:  # the reprinting site's typesetting: curly apostrophes, non-breaking space after "p.m."
            paragraphs = [p.replace("'", "\u2019").replace("p.m. ", "p.m.\u00a0") for p in src.paragraphs]
        else:
            paragraphs = [*src.paragraphs, "This report was distributed by Sample Wire."]
        copy = Item(
            ledger,
            src.title,
            paragraphs,
            (src.published + timedelta(minutes=40)).astimezone(ledger.tz),
            src.slug + "-wire",
            f"ledger-wire-{slug}",
            "agency",
            "utm_source=syndication&utm_medium=wire",
            "",
            {"event": slug},
        )
        items["ledger"].append(copy)
    # One undated explainer, to exercise missing dates.
    herald = OUTLETS[0]
    items["herald"].append(
        Item(
            herald,
            "Explainer: what is the Line of Control in Kashmir?",
            [
                "The Line of Control is the de facto military frontier dividing the parts of Kashmir administered by India and Pakistan.",
                "It grew out of the ceasefire line agreed after the war of 1947 and 1948 and was renamed under the Simla Agreement of 1972.",
                "Both countries claim Kashmir in full but administer only parts of it.",
                "Exchanges of fire across the line are common in times of tension.",
            ],
            None,
            "explainer-line-of-control",
            "herald-explainer-loc",
            "explainers",
            "utm_source=rss",
            "top",
        )
    )
    for key in items:
        items[key].sort(
            key=lambda it: (it.published is None, it.published or datetime.min.replace(tzinfo=UTC), it.guid)
        )
    return items


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def render_rss(outlet: Outlet, items: list[Item]) -> str:
    dated = [it.published for it in items if it.published]
    built = max(dated) if dated else datetime(2025, 5, 18, tzinfo=UTC)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- SAMPLE DATA for newswatch: a fictional outlet. Generated by samples/make_samples.py; do not edit. -->",
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>SAMPLE: {xml_escape(outlet.name)}</title>",
        f"<link>http://{outlet.host}/</link>",
        f"<description>{xml_escape(outlet.description)}</description>",
        "<language>en</language>",
        f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>",
    ]
    full = (
        outlet.key != "wire"
    )  # the wire ships its whole story in <description>, the others use content:encoded
    for it in items:
        out.append("<item>")
        out.append(f"<title>{xml_escape(it.title)}</title>")
        out.append(f"<link>{xml_escape(it.link)}</link>")
        if outlet.key == "wire":
            out.append(f'<guid isPermaLink="true">{xml_escape(it.link.split("?")[0].split("#")[0])}</guid>')
        else:
            out.append(f'<guid isPermaLink="false">{xml_escape(it.guid)}</guid>')
        if it.published:
            out.append(f"<pubDate>{format_datetime(it.published)}</pubDate>")
        out.append(f"<category>{it.category}</category>")
        out.append(f"<dc:creator>{xml_escape(outlet.name)} staff</dc:creator>")
        if full:
            out.append(f"<description>{xml_escape(' '.join(it.paragraphs[:2]))}</description>")
            out.append(f"<content:encoded><![CDATA[{_html(it.paragraphs)}]]></content:encoded>")
        else:
            out.append(f"<description>{xml_escape(_html(it.paragraphs))}</description>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def render_atom(outlet: Outlet, items: list[Item]) -> str:
    dated = [it.published for it in items if it.published]
    updated = max(dated) if dated else datetime(2025, 5, 18, tzinfo=UTC)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- SAMPLE DATA for newswatch: a fictional outlet. Generated by samples/make_samples.py; do not edit. -->",
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<title>SAMPLE: {xml_escape(outlet.name)}</title>",
        f"<subtitle>{xml_escape(outlet.description)}</subtitle>",
        f'<link rel="alternate" href="http://{outlet.host}/"/>',
        f"<id>tag:{outlet.host},2025:feed</id>",
        f"<updated>{updated.isoformat()}</updated>",
        f"<author><name>{xml_escape(outlet.name)}</name></author>",
    ]
    for it in items:
        out.append("<entry>")
        out.append(f"<title>{xml_escape(it.title)}</title>")
        out.append(f'<link rel="alternate" href="{xml_escape(it.link, {chr(34): "&quot;"})}"/>')
        out.append(f"<id>tag:{outlet.host},2025:{it.guid}</id>")
        if it.published:
            out.append(f"<published>{it.published.isoformat()}</published>")
            out.append(f"<updated>{it.published.isoformat()}</updated>")
        out.append(f'<category term="{it.category}"/>')
        out.append(f"<summary>{xml_escape(it.paragraphs[0])}</summary>")
        out.append(f'<content type="html">{xml_escape(_html(it.paragraphs))}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


INBOX: dict[str, str] = {
    "sample-001-ceasefire-explainer.md": """---
url: http://inbox.sample.invalid/notes/ceasefire-explainer?utm_source=email#intro
outlet: Sample Newsletter (sample)
published: 2025-05-11T08:30:00+05:30
language: en
---
# Explainer: how the India-Pakistan ceasefire came together (SAMPLE)

SAMPLE ARTICLE written for newswatch demos; a fictional newsletter summarising public reporting.

The ceasefire between India and Pakistan took effect at 5 p.m. Indian time on May 10, after four days of strikes and counter-strikes that began with India's Operation Sindoor on May 7.

US President Donald Trump announced the agreement on social media and credited a long night of talks mediated by the United States. India said the understanding was reached directly between the two militaries, through their directors general of military operations.

Secretary of State Marco Rubio said he and Vice President JD Vance had spoken to senior officials in both countries over the previous two days, including Pakistan's army chief, General Asim Munir.

Within hours, India accused Pakistan of violating the understanding, and explosions were heard in Srinagar. By the next morning the frontier was largely quiet.
""",
    "sample-002-border-town-diary.md": """---
outlet: Sample Herald (sample)
published: 2025-05-14
language: en
---
# Border town diary: a week after the shelling (SAMPLE)

SAMPLE ARTICLE written for newswatch demos. The town and the people in it are fictional composites.

In a fictional frontier town near the Line of Control, shopkeepers swept glass from the street and reopened their shutters for the first time in a week.

Families who had spent nights in a cramped community bunker returned to houses with cracked walls. Teachers prepared to reopen the school, which had been closed since the strikes of May 7.

Farmers said they hoped to finish the delayed wheat harvest before the monsoon. Many said they were relieved the ceasefire was holding, but few trusted it to last.
""",
    "sample-003-markets-note.txt": """Markets note: stocks rally as ceasefire holds (SAMPLE)

SAMPLE ARTICLE written for newswatch demos, in the plain-text inbox format: the first line is the headline.
India's main stock indexes rose nearly four percent on May 12, their largest one-day gain in years, as the ceasefire with Pakistan eased fears of a prolonged conflict.
Pakistan's main index rose so sharply that trading was briefly halted.
Analysts said defence shares and airlines led the gains, while gold prices eased as investors moved back into riskier assets.
""",
}

INBOX_JSON = {
    "title": "Analysis: what the IMF decision means for Pakistan (SAMPLE)",
    "url": "http://inbox.sample.invalid/analysis/imf-pakistan?utm_medium=json",
    "outlet": "Sample Ledger (sample)",
    "published": "2025-05-09T19:00:00+05:30",
    "language": "en",
    "text": (
        "SAMPLE ARTICLE written for newswatch demos. "
        "The International Monetary Fund's board approved a disbursement of about one billion dollars to Pakistan on May 9, "
        "in the middle of the military confrontation with India. "
        "India abstained from the vote and raised concerns about how the money could be used, according to its finance ministry. "
        "Pakistan's government welcomed the decision and said it showed confidence in its economic reforms. "
        "Economists said the programme remains Pakistan's main source of external financing."
    ),
}

INBOX_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rubio's calls to Islamabad and New Delhi, explained (SAMPLE) - Sample Observer</title>
<meta property="og:title" content="Rubio's calls to Islamabad and New Delhi, explained (SAMPLE)">
<meta property="article:published_time" content="2025-05-10T06:00:00-04:00">
<meta property="og:site_name" content="Sample Observer (sample)">
<link rel="canonical" href="http://observer.sample.invalid/world/2025/05/10/rubio-calls-explained">
</head>
<body>
<nav>Home | World | Opinion | SAMPLE SITE NAVIGATION</nav>
<article>
<h1>Rubio's calls to Islamabad and New Delhi, explained (SAMPLE)</h1>
<p class="note">SAMPLE ARTICLE written for newswatch demos; a fictional outlet summarising public reporting.</p>
<p>Over two days, US Secretary of State Marco Rubio spoke by phone with Pakistan's army chief, General Asim Munir, with Prime Minister Shehbaz Sharif and with India's External Affairs Minister S. Jaishankar.</p>
<p>According to the State Department's accounts, he urged both sides to de-escalate and offered US help in starting constructive talks.</p>
<p>The call to the army chief drew attention because Pakistan's military, rather than its civilian government, sets the country's security policy.</p>
<p>Critics of General Munir argued that his hard line had left little room for diplomacy until Washington stepped in.</p>
</article>
<footer>Copyright Sample Observer (sample). Subscribe to our newsletter.</footer>
</body>
</html>
"""


def write_all(root: Path = HERE) -> list[Path]:
    """Write every sample file under `root`; returns the paths written."""
    written: list[Path] = []
    feeds = root / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    items = build_items()
    for outlet in OUTLETS:
        text = (
            render_atom(outlet, items[outlet.key])
            if outlet.kind == "atom"
            else render_rss(outlet, items[outlet.key])
        )
        path = feeds / outlet.file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in INBOX.items():
        (inbox / name).write_text(text, encoding="utf-8")
        written.append(inbox / name)
    (inbox / "sample-004-imf-analysis.json").write_text(
        json.dumps(INBOX_JSON, indent=2) + "\n", encoding="utf-8"
    )
    (inbox / "sample-005-rubio-calls-explained.html").write_text(INBOX_HTML, encoding="utf-8")
    written += [inbox / "sample-004-imf-analysis.json", inbox / "sample-005-rubio-calls-explained.html"]
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p.relative_to(HERE.parent))
