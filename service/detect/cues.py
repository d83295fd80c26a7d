"""Word lists for deterministic claim detection: reporting verbs, titles, source nouns.

Everything here is data plus a few compiled regular expressions built from it, so the
detection rules in :mod:`.detector` and :mod:`.candidates` stay readable.
All matching is case-insensitive unless stated otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from claimstance.text.inflect import inflect, verb_forms


def words(text: str) -> list[str]:
    """The whitespace-separated words of a word-list literal."""
    return text.split()


# --- reporting verbs -------------------------------------------------------------------

# Verbs of saying: they introduce direct quotes and indirect speech.
SPEECH_VERBS = words(
    """say tell add warn note claim argue insist state declare explain stress emphasize
    emphasise announce acknowledge admit assert write tweet post report suggest urge ask
    reply respond answer continue recall predict complain criticize criticise accuse
    deny confirm concede contend maintain observe remark reiterate repeat vow pledge
    promise threaten boast joke quip testify conclude charge allege caution counter
    retort recount reveal disclose indicate signal underscore highlight muse wonder
    demand estimate forecast exclaim shout chant proclaim comment mention lament scoff
    sigh plead cite echo describe blast slam praise condemn dismiss question declare
    advise inform assure remind brief concur object protest speculate surmise guess
    reason hint imply theorize opine call speak
    """
)

# Verbs of thinking or finding: they report a claim only with an explicit "that".
COGNITION_VERBS = words(
    """believe think feel hope fear worry know expect find show agree acknowledge
    understand doubt suspect recognize recognise realize realise learn hear see reckon
    assume
    """
)

# Verbs of intention and commitment: their infinitive is an attributed content ("plans to
# raise taxes", "refused to comment"), read from the parse by :mod:`.parsed`.
INTENTION_FORMS = verb_forms(
    words(
        """want plan intend seek hope aim vow promise pledge threaten refuse decline agree
    offer propose wish"""
    )
)
# Verbs that say an act did not happen: a cue in the infinitive under them reports nothing
# ("failed to mention that …", "forgot to say").
UNDONE_FORMS = verb_forms(words("fail neglect forget avoid omit"))
# Nouns of intention and commitment: with a possessor, their infinitive is the possessor's
# attributed intention ("Britain's decision to leave …"); "the company's ability to pay" is not.
INTENTION_NOUNS = frozenset(
    words(
        """plan plans promise promises pledge pledges vow vows threat threats refusal offer
    offers proposal proposals wish wishes hope hopes aim aims bid bids decision decisions
    determination intention intentions intent attempt attempts effort efforts call calls
    demand demands push vote eagerness willingness readiness"""
    )
)
# Verbs of stance and speech whose object noun phrase is the attributed content ("attacked
# the plan", "cited the report", "denied the charges").
CONTENT_OBJECT_FORMS = verb_forms(
    words(
        """attack criticize criticise praise endorse cite claim deny reject support oppose
    propose announce demand blast slam condemn dismiss question dispute welcome applaud
    accuse blame defend back dismiss"""
    )
)
# An unattributed quotation of this many words or more is kept (a quoted sentence or
# phrase whose speaker the context gives); shorter ones are fragments (scare quotes).
LONG_QUOTE = 5

# Speech verbs with a second sense that takes a plain object, by the object that marks it:
# any object ("called her counterpart": telephoned), a thing ("told the story": narrated), a
# person ("questioned Smith": interrogated; "attacked Smith": assaulted). The parse decides.
ANY_OBJECT_SENSE_FORMS = verb_forms(words("call"))
THING_OBJECT_SENSE_FORMS = verb_forms(words("tell"))
PERSON_OBJECT_SENSE_FORMS = verb_forms(words("question attack defend welcome"))
PLAIN_OBJECT_SENSE_FORMS = (
    ANY_OBJECT_SENSE_FORMS | THING_OBJECT_SENSE_FORMS | PERSON_OBJECT_SENSE_FORMS
)
# Stance verbs with no physical sense: their object is a stance target however short
# ("the union endorses Clinton"); "attacked Ukraine" or "questioned Smith" are not.
STANCE_ONLY_FORMS = verb_forms(words("endorse praise condemn criticize criticise applaud"))
# Prepositions whose object is what a speech verb is about ("spoke of", "warned about"),
# and the verbs whose "for" introduces a demand ("called for", "pressed for").
TOPIC_PREPOSITIONS = frozenset(words("of about"))
CALL_FORMS = verb_forms(words("call press push appeal argue advocate"))

# Verbs that attribute a quotation next to them ("“…,” the letter reads", "she yells") but
# are too common to report indirect speech ("she read the book", "he continued his attacks").
QUOTE_ONLY_FORMS = verb_forms(words("read sing yell scream whisper mutter speak continue"))
SPEECH_FORMS = verb_forms(SPEECH_VERBS) | QUOTE_ONLY_FORMS
COGNITION_FORMS = verb_forms(COGNITION_VERBS) - SPEECH_FORMS
ALL_VERB_FORMS = SPEECH_FORMS | COGNITION_FORMS


# Verbs that name or characterise something with a quoted term ("called it a “disgrace”",
# "likened them to a “snake”", "a doctor had typed “homicidal ideation”"). They attribute
# a quotation that follows them in their clause, and nothing else (no indirect speech).
_NAMING_LEMMAS = """label dub brand term nickname characterize characterise liken compare hail
    laud tout rip attack blame mock ridicule pound admire exhort reference specify rule type
    deem decry denounce lambast scold chastise insult cast portray depict paint"""
_NOUNS_TOO = frozenset(words("label brand term rule type attack cast paint rip compare"))
NAMING_FORMS = (
    frozenset(f for lemma in words(_NAMING_LEMMAS) for f in inflect(lemma) if f not in _NOUNS_TOO)
    - ALL_VERB_FORMS
    - frozenset(words("types rules terms labels brands"))
)

# Verbs that take a person as object before the reported clause ("told reporters that").
OBJECT_VERBS = verb_forms(words("tell warn remind assure inform advise urge ask brief"))

# Auxiliaries and adverbs that may sit between a subject and its reporting verb.
AUXILIARIES = frozenset(
    words(
        """has have had was were is are be been would will could can may might should also
    later earlier then again repeatedly previously often once further separately
    reportedly publicly privately recently never not did does do just already still even
    had've
    """
    )
)

# Time and manner words that may follow a reporting verb before its content.
AFTER_VERB_FILLERS = frozenset(
    words(
        """on in at during after before last this next later earlier then today yesterday
    tonight monday tuesday wednesday thursday friday saturday sunday weekend week month
    year morning afternoon evening night recently previously also again repeatedly
    publicly privately bluntly flatly sarcastically simply once further
    """
    )
)

# --- people, titles and source descriptions --------------------------------------------

HONORIFICS = frozenset(
    words(
        """mr mrs ms miss dr prof sen rep gov gen lt col maj capt adm sgt rev fr sir dame lord
    lady st hon amb sec pres supt insp cmdr
    """
    )
)

# Words that can form a title before a name ("Secretary of State Antony Blinken").
TITLE_WORDS = frozenset(
    words(
        """president vice prime minister foreign secretary state treasury defense defence
    ambassador chairman chairwoman chair spokesman spokeswoman spokesperson senator
    representative governor mayor judge justice king queen prince princess pope premier
    chancellor director commissioner councillor councilor attorney general admiral professor
    reverend sheriff
    chief executive officer deputy assistant under envoy councilman councilwoman
    congressman congresswoman speaker leader minority majority whip adviser advisor
    economist analyst candidate nominee founder ceo cfo coo coach president-elect vice-
    president first lady lawyer detective sergeant lieutenant colonel captain major
    commander trade finance interior health education labor labour homeland security
    commerce energy justice national security council house senate party democratic
    republican former acting interim incoming outgoing top senior us u.s. chinese
    american british white communist central standing committee of the and for
    """
    )
)

# Head nouns of descriptions that can be the source of a claim ("a senior official").
SOURCE_NOUNS = frozenset(
    words(
        """official officials spokesman spokeswoman spokesperson spokespeople spokesmen
    ministry department source sources diplomat diplomats analyst analysts expert
    experts observer observers critic critics lawmaker lawmakers legislator legislators
    senator senators president minister secretary government administration campaign
    statement report reports study studies survey surveys poll polls police prosecutor
    prosecutors researcher researchers economist economists aide aides adviser advisers
    advisor advisors advocate advocates supporter supporters protester protesters
    protestors resident residents leader leaders people group groups organization
    organisation agency court judge panel committee commission newspaper network embassy
    office officer officers spokesperson representative representatives member members
    authorities authority diplomat envoy ambassador governor mayor candidate nominee
    chairman chairwoman director executive executives professor scholar scholars
    commentator commentators pundit pundits activist activists voter voters democrats
    republicans party parties ministry military army navy official's white house council
    regulator regulators investigator investigators witness witnesses ruling document
    documents memo letter book filing complaint lawsuit release website article
    editorial column columnist reporter reporters journalist journalists media outlet
    outlets paper magazine broadcaster tabloid daily lawyer lawyers attorney attorneys
    manager managers company firm bank banks union unions data figures numbers teacher
    teachers student students doctor doctors nurse nurses worker workers employee
    employees owner owners founder co-founder ceo chief head heads insider insiders
    colleague colleagues friend friends neighbor neighbors spokesperson's narrator ad
    audit analysis estimate investigation inquiry census index survey questioner
    moderator host anchor
    """
    )
)

DETERMINERS = frozenset(
    words(
        """the a an another one two three four five several some many most few other both this
    that these those his her its their our my your whose any each all no
    """
    )
)

SUBJECT_PRONOUNS = frozenset(words("he she they it we i you"))
#: Pronouns that can stand for a third party a claim is about ("he", "her", "its", "them").
THIRD_PERSON_PRONOUNS = frozenset(words("he him his she her hers it its they them their theirs"))

# Capitalised words that begin sentences but are not names.
NOT_NAME_WORDS = frozenset(
    words(
        """unlike should would could must might amid despite
        the a an and but or so yet for nor if in on at by to of from with without as after
    before since while when where what who whom whose which why how that this these
    those there here it its he she they we i you his her their our my your me him them
    us it's also still however meanwhile instead although though because despite during
    until unless over under among between about into onto upon against toward towards
    through throughout within not no yes all any each every some many most more much few
    other such then than now today yesterday tomorrow monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december jan feb mar apr jun jul aug sep sept oct nov dec read
    click watch see related photo video source sources update updated editor's note
    advertisement like just only even earlier later last next first second third new
    according asked speaking says said told added one two three four five once perhaps maybe
    indeed
    """
    )
)

ABBREVIATIONS = frozenset(
    words(
        """mr mrs ms dr prof sen rep gov gen lt col maj capt adm sgt rev fr st jr sr inc corp
    co ltd vs v no nos jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g
    i.e etc al ft mt pp approx dept est govt univ sec assn bros ave blvd
    """
    )
)

ORG_WORDS = frozenset(
    words(
        """ministry department party post times university school court council committee
    agency institute news association union bank fund group corp corporation inc co ltd
    commission office house congress senate pentagon kremlin government administration
    center centre foundation network journal daily press tv service force army navy
    police board campaign company coalition alliance organization organisation club
    church federation reserve treasury republic nations un nato imf fbi cia nsa cnn bbc
    ap reuters xinhua afp bloomberg politico msnbc abc nbc cbs fox npr pbs tass yonhap
    kyodo institution cabinet parliament assembly embassy consulate bureau authority
    commission council program programme project initiative industry media tribune
    herald gazette guardian telegraph economist observer monitor globe examiner review
    magazine
    """
    )
)

# Words that make a capitalised phrase something other than a person ("Clean Air Act").
NON_PERSON_WORDS = frozenset(
    words(
        """act acts plan bill law laws program programme policy circuit street avenue road city
    county state states river island sea ocean war day days award prize cup league summit
    forum conference treaty accord agreement deal fund trust airport hall square park tower
    building station hotel club festival lives matter security initiative amendment
    constitution code order rule report survey study poll index theory doctrine strategy
    valley mountain mountains lake bay coast gulf province region district east west north
    south central republic kingdom empire dynasty era age show series film book magazine
    tour campaign rally debate election elections convention caucus primary primaries
    olympics games championship week month year monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october
    november december christmas easter ramadan eve new old great grand
    """
    )
)

MEDIA_WORDS = frozenset(
    words(
        """post times news journal daily press tv network cnn bbc ap reuters xinhua afp
    bloomberg politico msnbc abc nbc cbs fox npr pbs tass yonhap kyodo tribune herald
    gazette guardian telegraph economist observer monitor globe examiner magazine
    newspaper outlet broadcaster tabloid agency
    """
    )
)

GOVERNMENT_WORDS = frozenset(
    words(
        """ministry department government administration white house kremlin pentagon cabinet
    embassy consulate state treasury parliament congress senate beijing washington
    moscow china us u.s usa america united states russia taiwan taipei japan tokyo
    ukraine kyiv iran tehran eu britain uk london india korea seoul pyongyang france
    paris germany berlin israel canada australia vietnam hanoi philippines manila
    brussels nato
    """
    )
)

MALE_WORDS = frozenset(
    words(
        """mr sir lord king prince he him his spokesman chairman congressman councilman father
    son brother husband
    """
    )
)
FEMALE_WORDS = frozenset(
    words(
        """mrs ms miss dame lady queen princess she her spokeswoman chairwoman congresswoman
    councilwoman mother daughter sister wife
    """
    )
)

# Words that end a subject noun phrase going forward ("an official quoted by Xinhua").
NP_BREAK_WORDS = frozenset(
    words(
        """by quoted who which that whose at from in with for on during after before when where
    while since to as ( [ said says
    """
    )
)

# --- compiled patterns -----------------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


VERB_RE = re.compile(r"\b(?:" + _alternation(ALL_VERB_FORMS) + r")\b", re.IGNORECASE)
# Forms that are also common nouns ("a report", "the state"): usable as a cue only with
# a clear subject right before them or "that" right after them.
NOUN_LIKE_FORMS = frozenset(
    words(
        """state states report reports post posts charge charges question questions estimate
    estimates forecast forecasts comment comments answer answers signal signals counter
    object objects claim claims promise promises demand demands find finds show shows
    echo echoes tweet tweets reason reasons guess note notes hint hints post fear fears
    hope hopes doubt doubts worry worries joke jokes vow vows pledge pledges threat
    finding findings sense protest protests cite
    """
    )
)

ACCORDING_RE = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
