"""The detector's vocabulary: who a sentence talks to (an AI reader), what the output is called,
the document itself, commands, obligations, reporting verbs and markup, in English, French, Spanish
and German, as regular expressions over `fold`ed text (see `detect`).

Every pattern runs on `fold(sentence)`: NFKC, invisible characters removed, typographic quotes and
dashes made plain, accents stripped, case folded, whitespace collapsed. The acronyms AI, A.I., KI,
IA and LLM are recognised in their capitals (lower-case "ai" is French "j'ai") and become the word
"qqai" before folding.
"""

from __future__ import annotations

import re
import unicodedata

from .markup import (
    BAR,
    GT,
    LT,
)

ACRONYM = re.compile(r"(?<![\w])(?:A\.I\.|K\.I\.|I\.A\.|AIs?|KI|IA|LLMs?|GenAI)(?![\w])")

QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                         "–": "-", "—": "-", "‐": "-", "‑": "-"})

HIDDEN_CHARS = re.compile("[\u200b\u2060-\u2064\ufeff\u180e\u202a-\u202e\u2066-\u2069]")

TAG_CHARS = re.compile("[\U000e0000-\U000e007f]")

# Cyrillic and Greek letters that look Latin, read as Latin inside a word that mixes scripts ("ignоre").
CONFUSABLES = str.maketrans("аеорсуххіјѕԁɡһіјӏոԛԝαεικνορτυχАВЕКМНОРСТХІЈЅΑΒΕΗΙΚΜΝΟΡΤΥΧ",
                             "aeopcyxxijsdghijlnqwaeiknoptuxABEKMHOPCTXIJSABEHIKMNOPTYX")

MIXED_WORD = re.compile(r"\w*[a-zA-Z]\w*")

def unconfuse(text: str) -> str:
    return MIXED_WORD.sub(lambda m: m.group().translate(CONFUSABLES) if not m.group().isascii() else m.group(), text)

def fold(sentence: str) -> str:
    text = unconfuse(unicodedata.normalize("NFKC", sentence))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").translate(QUOTES)
    text = ACRONYM.sub("qqai", text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())

def alt(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"

# --- who the sentence talks to -----------------------------------------------------------------
AI_HEAD = (r"(?:models?|systems?|assistants?|agents?|tools?|bots?|chat ?bots?|summari[sz]ers?|readers?|crawlers?"
            r"|scrapers?|programs?|software|pipelines?|engines?|writers?|generators?|analysts?|services?|briefings?"
            r"|summar(?:y|ies)|digests?|analys[ie]s|reviews?|editors?|modell\w*|system\w*|assistent\w*|zusammenfassung\w*"
            r"|werkzeug\w*|programm\w*|agent\w*|modeles?|modelos?|systemes?|sistemas?|outils?|herramientas?"
            r"|asistentes?|logiciels?|lecteurs?|lectores?)")

# What follows an AI word when it names something else: "AI providers", "chatbot makers".
NOT_ADDRESSEE = (r"(?! (?:makers?|developers?|providers?|compan(?:y|ies)|firms?|industry|sector|markets?|startups?"
                  r"|start-ups?|office|act|acts|rules?|regulations?|laws?|polic(?:y|ies)|research\w*|experts?"
                  r"|safety|ethics|chips?|boom|race|investments?|spending|stocks?|shares|giants?|labs?|executives?"
                  r"|users?|businesses|products?|strategy|summit|bill|treaty|governance|watchdogs?|regulators?"
                  r"|skills|jobs|workers|revolution|era|age|hype|bubble|adoption|usage|training|development"
                  r"|technolog(?:y|ies)|capabilities|risks?|liability|deployers?|operators?|vendors?|suppliers?"
                  r"|manufacturers?|fabricants?|fournisseurs?|entreprises|empresas|proveedores|anbieter|hersteller"
                  r"|unternehmen|firmen)\b)")

AI_TERMS = (
    # the acronym as an addressee: followed by what an AI is, by a verb or punctuation, not by a noun it modifies
    r"qqai(?:(?:-powered|-based| generative| general-purpose)?(?: ?-| )" + AI_HEAD + r"\b"
    r"|(?=\s*(?:[,:;.!?)\]\"]|$| (?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|must|should|shall|will"
    r"|please|is asked|are asked|that reads|which reads|qui|que|der|die|das"
    r"|(?:is|are) (?:reading|processing|summari[sz]ing|analy[sz]ing))\b)))"
    r"|artificial intelligence|intelligence artificielle|inteligencia artificial|kunstliche intelligenz"
    r"|(?:large |grands? )?language models?|grands? modeles? de langa(?:ge|ue)|modeles? (?:de langage|linguistiques?)"
    r"|modelos? (?:de lenguaje|linguisticos?)|sprachmodell\w*|chat ?bots?|chatgpt|gpt(?:-?\d[\w.]*)?|copilot"
    r"|(?:virtual|digital|voice) assistants?|assistants? (?:virtuels?|numeriques?|conversationnels?)"
    r"|asistentes? (?:virtual(?:es)?|digital(?:es)?)|(?:agents?|robots?) conversationnels?"
    r"|(?:summary|briefing|digest|news) (?:writers?|generators?|tools?|bots?)\b(?=.{0,30}\b(?:machine|automat|qqai))"
    r"|summari[sz]ers?|summari[sz](?:ation|ing) (?:tools?|systems?|models?|software|engines?|services?|bots?|programs?)"
    r"|(?:assistants?|agents?|modeles?|systemes?|outils?|logiciels?|programmes?|asistentes?|agentes?|modelos?"
    r"|sistemas?|herramientas?|programas?)(?: d'| de l'| de | d | del )qqai\b"
    r"|(?:automated|automatic) (?:\w+ ){0,2}?" + AI_HEAD +
    r"|machine (?:readers?|summari[sz]ers?|learning (?:models?|systems?))"
    r"|(?:systemes?|outils?|logiciels?|programmes?|lecteurs?|resumes?|syntheses?) (?:automatiques?|automatises?"
    r"|de resume|de synthese)"
    r"|(?:sistemas?|herramientas?|programas?|lectores?|resumen(?:es)?) (?:automatic[oa]s?|automatizad[oa]s?"
    r"|de resumen(?:es)?)"
    r"|(?:automatisch|automatisiert|maschinell)\w* (?:zusammenfassung\w*|system\w*|werkzeug\w*|tools?|leser"
    r"|auswertung\w*|verarbeitung\w*|programm\w*)"
    r"|(?:any|every|each|all|the) (?:system|program|software|tool|agent|reader|crawler|scraper|script|process"
    r"|pipeline|application|app|service)s? (?:that is |which is |that are )?(?:reading|processing|summari[sz]ing"
    r"|analy[sz]ing|parsing|ingesting|indexing|scanning|crawling)"
    r"|(?:whoever|whatever) (?:is )?(?:reading|processing|summari[sz]ing|analy[sz]ing|reads|processes|summari[sz]es"
    r"|analy[sz]es|briefs)"
    r"|(?:the|dear|hey|an?|any|every) (?:assistant|model)s?(?=\s*(?:[,:!]|$| (?:must|should|shall|will|please"
    r"|reading|processing|summari[sz]ing|generating|writing|that reads|asked|told|tasked|used to (?:summari[sz]e|brief)"
    r"|(?:is|are) (?:required|asked|instructed|expected|supposed))\b))"
)

AI = rf"(?:{AI_TERMS}){NOT_ADDRESSEE}"

AI_RE = re.compile(rf"\b(?:{AI})")

# --- what the output is called -----------------------------------------------------------------
OUTPUT = (r"(?:titles?|headlines?|summar(?:y|ies)|briefings?|answers?|responses?|repl(?:y|ies)|outputs?"
           r"|bottom lines?|abstract|synopsis|first (?:sentence|line|word|paragraph)|list of actors"
           r"|(?:actors?|risks?|positions?|timeline) (?:list|section|field)|open questions"
           r"|(?:text|json|output|every|each|all) fields?|titre|titres|resumes?|syntheses?|reponses?|sortie"
           r"|premiere phrase|titulos?|titular|titulares|resumen(?:es)?|respuestas?|salida|sintesis|primera frase"
           r"|titel|uberschrift(?:en)?|schlagzeilen?|zusammenfassung(?:en)?|antwort|ausgabe|fazit|erster satz)")

DET = (r"(?:the|your|every|each|all|any|this|that|le|la|l'|les|votre|vos|ton|ta|tes|chaque|el|los|las|tu|tus"
        r"|cada|der|die|das|den|dem|jede[rnms]?|deine[rnms]?|ihre[rnms]?)")

OUTPUT_STRONG = re.compile(
    rf"\b(?:your|votre|vos|ton|ta|tes|tu|tus|dein\w*) (?:\w+ ){{0,2}}?{OUTPUT}\b"
    rf"|\b(?:as|comme|como|als) (?:{DET} |an? )?(?:\w+ )?{OUTPUT}\b"
    rf"|\b(?:in|into|to|at|dans|en|a|im|zu) {DET} (?:(?:start|beginning|end|top|debut|fin|inicio|principio|final"
    rf"|anfang|ende) (?:of|de|del|der|des|du) (?:{DET} )?)?{OUTPUT}\b"
    rf"|\b{OUTPUT} (?:of|for|about|on|de|del|des|du|zu|uber|von|sobre|pour|para) (?:this|these|the above"
    rf"|the following|cet|ce|cette|ces|este|esta|estos|dies\w*)\b"
    rf"|\b(?:any|every|each|all|toute?s?|tout|cualquier|tod[oa]s?|jede[rnms]?|alle) (?:\w+ ){{0,2}}?{OUTPUT}\b"
    rf"|\bthe (?:correct|right|real|proper|actual|final|new|official|only)(?: \w+)? {OUTPUT}\b"
)

OUTPUT_WEAK = re.compile(rf"\b{OUTPUT}\b")

POSSESSED = re.compile(r"(?:'s|\b(?:his|her|their|its|our|my|son|sa|ses|leur|leurs|su|sus|sein\w*|ihr\w*)) $")

# --- the document itself -----------------------------------------------------------------------
DOC_NOUN = (r"(?:article|text|document|page|webpage|web page|story|passage|post|paragraph|content|input|source|report"
             r"|message|e-?mail|piece|section|material|snippet|excerpt|file|transcript|site|website|blog|newsletter"
             r"|thread|review|listing|forum|texte|contenu|paragraphe"
             r"|extrait|courriel|depeche|articulo|texto|documento|pagina|pasaje|contenido|mensaje|parrafo"
             r"|fragmento|correo|nota|artikel\w*|text\w*|dokument\w*|seite|beitrag\w*|inhalt\w*|nachricht\w*"
             r"|absatz\w*|abschnitt\w*|meldung\w*)s?")

DEIXIS = re.compile(
    rf"\b(?:this|these|the above|the preceding|the following|the present|the current|cet|ce|cette|ces"
    rf"|le present|la presente|este|esta|estos|estas|el presente|dies(?:er|en|em|es|e)|vorliegende[nrsm]?"
    rf"|obige[nrsm]?|folgende[nrsm]?)(?: \w+)? {DOC_NOUN}\b"
    rf"|\bthe {DOC_NOUN} (?:above|below)\b|\bci-(?:dessus|dessous)\b"
    r"|\b(?:reads?|reading|summari[sz](?:es?|ing)|process(?:es|ing)?|analy[sz](?:es?|ing)|pars(?:es?|ing))"
    r" (?:this|these|the above|the following)\b"
)

# The AI's own configuration: "your system prompt", "your instructions".
AI_CONFIG = re.compile(r"\b(?:your|the) (?:system prompt|system message|initial prompt|hidden prompt|original prompt"
                        r"|pre-?prompt)\b|\byour (?:instructions|guidelines|rules|prompt|programming|configuration)\b")

# --- what a sentence asks for ------------------------------------------------------------------
OVERRIDE_VERB = (r"(?:ignore|ignoring|disregard|forget|override|bypass|discard|abandon|set aside|never mind"
                  r"|pay no attention to|ignorez|ignorer|ne tenez (?:pas|plus) compte d|ne tiens pas compte d"
                  r"|oubliez|oublie|oublier|ne tenez pas compte d|faites abstraction d|ignora|ignorad|ignorar"
                  r"|olvida|olvidate|olvidese|olvidaos|olvide|olvidad|olvidar|haz caso omiso a|haga caso omiso a"
                  r"|ignoriere|ignorier|ignorieren|vergiss|vergesst|vergessen|missachte|missachten)")

RULES_NOUN = (r"(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?|context|constraints?"
               r"|programming|orders?|commands?|consignes?|regles?|indications?|instrucciones|indicaciones|reglas"
               r"|ordenes|directrices|anweisungen|befehle|regeln|vorgaben|anordnungen|richtlinien)")

EARLIER = (r"(?:all|any|every|previous|prior|earlier|preceding|above|former|original|initial|existing|your|system"
            r"|developer|precedentes?|anterieures?|anteriores?|previas?|vorherigen?|bisherigen?|obigen?|vorigen?"
            r"|alle[ns]?|deine[n]?|toutes|tous|vos|tes|todas|todos|tus|sus)")

OVERRIDE = re.compile(
    rf"\b{OVERRIDE_VERB} (?:\w+ ){{0,3}}?{EARLIER} (?:\w+ ){{0,2}}?{RULES_NOUN}\b"
    rf"|\b{OVERRIDE_VERB} (?:\w+ ){{0,3}}?{RULES_NOUN} (?:above|given|you (?:were|have been) given|ci-dessus"
    rf"|precedentes?|anteriores?|previas?|vorherigen?|bisherigen?)"
    rf"|\b{OVERRIDE_VERB} (?:the |this |cet |ce |le |l'|el |este |den |diesen |das |dieses )?(?:article|text"
    rf"|document|source|content|page|above|story|input|texte|articulo|texto|documento|artikel|dokument)\b"
    rf"|\b{OVERRIDE_VERB} (?:everything|anything|all|whatever|what) (?:above|before|else|written|you (?:read|were"
    r" told|have been told)|(?:you )?(?:were|have been) told)"
    rf"|\b{OVERRIDE_VERB} (?:\w+ ){{0,2}}?(?:previous|prior|earlier|preceding|above|foregoing) (?:\w+ )?"
    rf"(?:{DOC_NOUN}|paragraphs?|sentences?|lines?)\b"
    r"|\b(?:oubliez|oublie|ignorez) tout ce qui precede|\b(?:olvida(?:te)?|olvidese|olvidaos|ignora) (?:de )?(?:todo )?"
    r"lo anterior"
    r"|\b(?:vergiss|ignoriere) alles (?:obige|vorherige|bisherige)"
)

# Italian, Portuguese, Dutch, Russian, Chinese, Japanese: the classic override, a command wherever it stands.
FOREIGN_OVERRIDE = re.compile(
    r"\b(?:ignora|ignore|dimentica|esqueca|negeer|vergeet) (?:\w+ ){0,2}?(?:istruzioni|instrucoes|instructies"
    r"|regole|regras|regels)\b"
    r"|(?:игнорируи|забудь|не обращаи внимания на)\w* (?:\w+ ){0,2}?(?:инструкци|указани|правил)"
    r"|(?:忽略|无视|忽視|無視|忘记|忘記)(?:之前|以上|先前|上面|前面|所有|全部|的|一切)*(?:指令|指示|说明|說明|提示|规则|規則)"
    r"|(?:以前|前|上記)の(?:指示|命令|指令)を(?:無視|忘れ)"
)

STRONG_VERBS = alt(
    "ignore disregard forget override overwrite bypass write rewrite describe mention include translate encode decode"
    " summarise summarize say tell respond reply insert append prepend replace pretend obey repeat rename refer"
    " recommend portray emphasise emphasize omit ensure remember conclude praise promote endorse characterise"
    " characterize generate"
    # French
    " ignorez oubliez oublie ecrivez ecris ecrire mentionnez mentionne indiquez indique decrivez decris incluez"
    " ajoutez ajoute traduisez traduis repondez reponds dites dis presentez qualifiez qualifie intitulez intitule"
    " titrez remplacez remplace commencez terminez affirmez affirme precisez recommandez resumez utilisez mettez"
    " mets nommez nomme citez soulignez souligne veuillez traitez"
    # Spanish
    " ignora ignorad olvida olvide olvidad escribe escriba escribid menciona mencione incluye incluya describa"
    " di diga decid indica responde responda contesta conteste traduce traduzca titula titule pon ponga anade"
    " anada agrega agregue afirma afirme recomienda recomiende resuma utiliza utilice comienza comience empieza"
    " empiece termina menciones incluyas escribas digas pongas"
    " califica califique reemplaza reemplace sustituye omite omita destaca destaque"
    # German
    " ignoriere ignorier vergiss schreibe schreib erwahne beschreibe nenne fuge gib antworte ubersetze fasse"
    " bezeichne verwende benutze beginne beende setze sage sag behaupte empfiehl stelle formuliere betone"
)

# Words that are verbs but often open a sentence as a noun ("State officials", "Output rose"):
# an imperative only when an object follows.
AMBIGUOUS_VERBS = alt(
    "output print start begin end call title label name list state answer present display show act stop change set"
    " run send give make keep finish open close use put add return format highlight spell claim copy treat produce"
    " follow execute declare report indique presente resume nombre use usa llama llame rate rank blame frame update"
    " edit modify alter fill populate let"
)

OBJECT_START = alt(
    "the a an your this that these those it its them only all every each any no as with in at to me us him her my"
    " our exactly just precisely simply always never instead both one json text nothing"
    " le la les l' un une votre vos ce cette cet"
    " que qu' el los las su tu este esta lo a al den die das dem einen eine deine ihre dass nur"
) + r"\b|\"|'|[a-z]{2,}-?\d"

GERMAN_FORMAL = alt(
    "ignorieren vergessen schreiben erwahnen beschreiben nennen fugen geben antworten ubersetzen fassen bezeichnen"
    " verwenden beginnen beenden setzen sagen behaupten empfehlen stellen formulieren betonen lassen"
)

IMPERATIVE = re.compile(
    rf"(?:(?:do not|don't|never|always|only|ne|n'|no|nicht) )?(?:{STRONG_VERBS}\b(?! ?[-:])"
    rf"|{AMBIGUOUS_VERBS} (?:{OBJECT_START})|{GERMAN_FORMAL} sie\b"
    rf"|{AMBIGUOUS_VERBS} (?:\S+ ){{1,5}}?(?:in|into|at|as|to) (?:the |your |a |an )?(?:\w+ )?{OUTPUT}\b"
    r"|make sure|be sure|merci de|pensez a|n'oubliez pas|achte darauf|stelle sicher|por favor,? \w+"
    rf"|(?!ignoring){OVERRIDE_VERB}(?:e?s|u|e)?\s"
    r"|(?:enter|enable|activate|switch to) (?:developer|god|jailbreak|dan|unrestricted) mode)"
)

OPENERS = alt("please kindly now also then and finally instead additionally simply just first next lastly"
                " bitte svp ensuite puis et aussi y luego ahora tambien und dann auch jetzt")

CLAUSE_START = re.compile(rf"(?:^|[,;:(]\s*[\"']?|[.?!]\s+"
                           rf"|\b(?:and|then|et|puis|ensuite|y|luego|und|dann|or|please|bitte)\s+)(?:{OPENERS}\s+)*")

MODAL = re.compile(
    r"\b(?:must|should|shall|(?<!would )(?<!could )(?<!might )(?<!will )(?<!may )(?:has|have|needs?) to|is to|are to"
    r"|(?:is|are) (?:kindly |hereby |politely |strictly |therefore |also )?(?:required|expected|instructed|asked"
    r"|requested|supposed|obliged|directed) to|ought to|(?:wird|werden) (?:\w+ )?(?:gebeten|aufgefordert|angewiesen)"
    r"|doit|doivent|dois|devez|devra|devront|devrait|devraient|devrais|devriez|est tenue? de|sont tenue?s de"
    r"|debe|deben|debes|debera|deberan|deberas|deberia|deberian|deberias|tiene que|tienen que|tienes que"
    r"|muss|mussen|musst|soll|sollen|sollst|sollte|sollten|solltest|will)\b"
)

OBLIGATION_FRAME = re.compile(
    r"\b(?:nous )?vous (?:prions|demandons|invitons) (?:instamment )?(?:de|a)\b|\ble (?:os|les) (?:rogamos|pedimos)\b"
    r"|\b(?:wir bitten|ich bitte) (?:dich|sie|euch)\b"
    r"|\bit would be (?:great|nice|good|helpful|ideal|best|appreciated|better) if\b"
    r"|\bit is (?:essential|important|crucial|imperative|mandatory|required|vital|necessary|critical) (?:that|to|for)\b"
    r"|\b(?:il est demande|on demande|nous demandons) a(?:ux?)?\b|\bse (?:ruega|pide|solicita) a\b"
    r"|\b(?:wir bitten|es wird (?:darum )?gebeten)\b"
    r"|\bil (?:est (?:essentiel|important|imperatif|obligatoire|crucial|necessaire|indispensable)|faut) (?:que|de)\b"
    r"|\bes (?:esencial|importante|imprescindible|obligatorio|crucial|necesario|fundamental) que\b"
    r"|\bes ist (?:wichtig|wesentlich|unerlasslich|zwingend|notwendig|erforderlich|entscheidend),? dass\b"
)

SECOND_PERSON = re.compile(r"\b(?:you|vous|tu|usted|ustedes|du)\b|\b(?:debes|deberias|tienes que|musst|sollst)\b")

REQUEST = re.compile(
    r"\b(?:can|could|would|will) you (?:please |kindly )?\w+|\bi (?:want|need|would like|'d like) you to\b"
    r"|\byou are (?:hereby )?(?:instructed|asked|requested|required|told|ordered|directed|expected|supposed) to\b"
    r"|\byour (?:real |new |actual |only )?(?:task|job|role|goal|mission|purpose|instructions|objective|assignment)"
    r" (?:is|are|now|:)"
    r"|\b(?:pourriez|pouvez|voudriez)-vous\b|\bje (?:veux|voudrais) que (?:tu|vous)\b|\bpodrias\b|\bpodria usted\b"
    r"|\bquiero que\b|\b(?:konntest|kannst) du\b|\b(?:konnten|wurden) sie bitte\b"
)

OUTPUT_VERB = re.compile(
    r"\b(?:describ\w*|mention\w*|reports? (?:that|it as|them as)|states?|says?|writes?"
    r"|title[ds]?|calls?|refers? to|includes?|begins?|starts?|ends?|opens?|closes?|concludes?|contains?|lists?|names?"
    r"|translates?|encodes?|recommend\w*|portray\w*|present|characteri[sz]e"
    r"|label\w* \w+ as|emphasi[sz]e|highlight|promote|endorse|praise|omit|claim|assert|attribute|credit|reply|respond"
    r"|answer|output|print|repeat|insert|append|use the (?:phrase|word|sentence|term|code|name|title|headline)"
    r"|be (?:titled|called|described|label+ed|presented|portrayed|referred to|named|written|characteri[sz]ed|read)"
    r"|reads?|decrire|mentionner|indiquer|ecrire|intituler|titrer|qualifier|appeler|nommer|inclure|commencer"
    r"|terminer|citer|presenter|recommander|affirmer|preciser|traduire|repondre|omettre|souligner|dire"
    r"|etre (?:decrit|presente|qualifie|intitule|appele|nomme)e?s?|describir|mencionar|indicar|escribir|titular"
    r"|calificar|llamar|nombrar|incluir|comenzar|empezar|terminar|citar|presentar|recomendar|afirmar|traducir"
    r"|responder|omitir|decir|destacar|ser (?:descrit|presentad|calificad|titulad|llamad)[oa]s?|beschreiben"
    r"|incluyan|mencionen|describan|escriban|digan|titulen|presenten|califiquen|mentionnent|incluent|decrivent"
    r"|ecrivent|indiquent|presentent|qualifient|zusammen(?:zu)?fassen|dar(?:zu)?stellen|an(?:zu)?geben"
    r"|hervor(?:zu)?heben|weg(?:zu)?lassen|auf(?:zu)?nehmen"
    r"|erwahnen|angeben|schreiben|nennen|bezeichne[nt]|betiteln|aufnehmen|beginnen|enden|zitieren|darstellen"
    r"|dargestellt|empfehlen|behaupten|ubersetzen|antworten|weglassen|sagen|hervorheben|lauten|enthalten)\b"
)

PAYLOAD = re.compile(r"\"[^\"]{2,}\"|(?<!\w)'[^']{2,}'(?!\w)|\b[a-z]{2,}-?\d{2,}\b|https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|org|net|io"
                      r"|example|info|biz|xyz|ai|app)\b|@")

REPORTING = re.compile(
    r"\b(?:said|(?<!article )(?<!text )(?<!document )(?<!story )(?<!page )says|told|tells|according to|wrote"
    r"|writes|argued|argues|added|warned|warns|announced|announces|claimed|insisted|explained|noted|reported"
    r"|ordered|orders|instructed|urged|urges|asked(?! to (?:brief|summari|read|process|analy))|asks|demanded"
    r"|requires|would require|will require|called on|called for|recommended|proposed|proposes|ruled"
    r"|decided|stated|believes|suggested|suggests)\b"
    r"|\bunder (?:the|a|new|its|their|this) (?:\w+ ){0,2}?(?:draft|law|laws|rules?|regulations?|act|bill|proposal"
    r"|plan|guidance|code|directive|order|framework|agreement|deal|polic(?:y|ies)|scheme|legislation)\b"
    r"|\b(?:a|ont|avait|avaient) (?:declare|dit|indique|affirme|ajoute|explique|precise|estime|annonce|souligne"
    r"|assure|ecrit|ordonne|exige|demande)\b|\b(?:selon|d'apres|en vertu d[eu]|aux termes d[eu])\b"
    r"|\b(?:dijo|dice|afirmo|declaro|indico|senalo|explico|anadio|aseguro|escribio|ordeno|exigio|pidio|segun"
    r"|de acuerdo con|conforme a)\b"
    r"|\b(?:predicts?|predicted|expects?|expected|estimates?|estimated|forecasts?|forecast|advises?|advised"
    r"|think|thinks|believe)\b|(?<=\w )(?<!and )(?<!then )(?<!please )(?<!should )(?<!must )(?<!to )(?<!not )say\b"
    r"|\b(?:sagte|erklarte|betonte|teilte|schrieb|forderte|fordert|verlangt|verlangte|laut|zufolge|so der|so die"
    r"|heisst es|gemass)\b"
)

def reports(folded: str) -> bool:
    """Whether a folded sentence reports what someone said or required; not when it points at this
    very document."""
    return REPORTING.search(folded) is not None and DEIXIS.search(folded) is None


# --- standalone signals ------------------------------------------------------------------------
MARKUP = re.compile(
    rf"[{LT}]\s*[{BAR}][^{LT}{GT}\n]{{0,64}}[{BAR}]\s*[{GT}]|\[\s*/?\s*(?:INST|SYSTEM_PROMPT)\s*\]"
    rf"|[{LT}]{{2}}\s*/?\s*SYS\s*[{GT}]{{2}}|[{LT}]\s*(?:start|end)_of_turn\s*[{GT}]"
    rf"|[{LT}]\s*/?\s*(?:system|user|assistant|human|developer|im_start|im_end|instructions?|prompt)"
    rf"(?:\s[^{LT}{GT}\n]{{0,80}}?)?\s*/?\s*[{GT}]|^[\s>*#-]*#{{1,6}}\s*(?:instructions?|response|system|assistant|human|user)\b"
    r"|^[\s>*_-]*(?:system|assistant|user|human|developer)\s*(?:\*\*)?\s*:|\[(?:system|assistant|user)\]\(#"
    r"|^\W*\[\s*(?:system|assistant|developer)(?: message| prompt| note)?\s*\]",
    re.IGNORECASE,
)

TURN_OPEN = re.compile(rf"[{BAR}]\s*im_start\s*[{BAR}]\s*[{GT}]\s*(?:system|assistant|developer)\b"
                        rf"|[{LT}]\s*(?:system|assistant|developer)\b[^{GT}]*[{GT}]|\[\s*INST\s*\]"
                        rf"|[{LT}]{{2}}\s*SYS\s*[{GT}]{{2}}|start_of_turn\s*[{GT}]\s*(?:system|model|user)"
                        r"|^[\s#>*-]*#{1,6}\s*(?:instructions?|system)\b|^\s*(?:system|developer)\s*:\s*$",
                        re.IGNORECASE)

TURN_CLOSE = re.compile(rf"im_end|eot_id|end_of_turn|[{LT}]\s*/\s*(?:system|assistant|developer)\b|\[\s*/\s*INST"
                         rf"|/\s*SYS|im_start\s*[{BAR}]\s*[{GT}]\s*user|[{LT}]\s*user\s*[{GT}]", re.IGNORECASE)

HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)

HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;\"']"
                     r"|opacity\s*:\s*0(?:\.0+)?\s*[;\"']|!\[[^\]]*\]\(|<\s*(?:script|iframe|img|object|embed|style)\b"
                     r"|<[a-z][^<>]*\b(?:hidden|aria-hidden)\b[^<>]*>|^\s*\[(?://|comment|_)\]:\s*#",
                     re.IGNORECASE)

ASSIGNMENT = re.compile(rf"\b{OUTPUT}\s*(?:=|:=|->)\s*[\"']")

JSON_KEY = re.compile(r'"\s*([a-z_][a-z0-9_ ]{0,30})"\s*:\s*["\[{\d]')

JSON_CLOSE = re.compile(r'["\]}]\s*[}\]]|^\s*"?\s*[}\]]')

# Keys of an answer or a chat message: one is enough; other keys need two, or a brace that closes.
OUTPUT_KEY = re.compile(r"title|summary|headline|answer|response|bottom|output|instruction|prompt|system|role|content"
                         r"|actors?|risks?|positions|timeline|questions|override")

ADDRESS = re.compile(
    rf"\b(?:next|following|this|last|below|above) (?:sentence|paragraph|line|part|section|passage)s? (?:is |are )?"
    rf"(?:\w+ )?(?:for|to|at) (?:the |all |any )?(?:\w+ )?(?:{AI})|"
    rf"^(?:\w+ ){{0,3}}?(?:{OUTPUT}|notes?|info|information|facts?|context|important|mandatory|obligatoire"
    rf"|obligatorio|pflicht\w*)(?: \w+)? (?:for|to|pour|para|fur|a|aux) (?:the |all |any |les |la |los |las |alle "
    rf"|die )?(?:\w+ )?(?:{AI})\s*:"
    rf"|\b(?:notes?|messages?|instructions?|notices?|reminders?|warnings?|attention|memo|requests?|directives?"
    rf"|commands?|hints?|updates?|corrections?|disclaimer|advice|questions?|tasks?|prompt)\b[^.:;]{{0,24}}?\b"
    rf"(?:to|for) (?:the |all |any |every |each |our )?(?:\w+ ){{0,2}}?(?:{AI})"
    rf"|\b(?:notes?|messages?|consignes?|instructions?|avis|rappels?|avertissements?|remarques?) (?:a l'attention"
    rf"|a l'intention|pour|aux?|destinee?s? aux?) (?:d[eu]s? |l'|les? |la )?(?:\w+ ){{0,2}}?(?:{AI})"
    rf"|\b(?:nota|mensaje|instruccion|instrucciones|aviso|advertencia|recordatorio)s? (?:para|a) (?:el |la |los "
    rf"|las |cualquier |todo |toda )?(?:\w+ ){{0,2}}?(?:{AI})"
    rf"|\bp\.?s\.? (?:to|for) (?:the |all |any )?(?:\w+ ){{0,2}}?(?:{AI})"
    rf"|\b(?:hinweis|nachricht|anweisung|notiz|mitteilung|achtung|warnung)(?:en|e)? (?:an|fur) (?:die |den |das "
    rf"|alle |jede[ns]? )?(?:\w+ ){{0,2}}?(?:{AI})"
)

VOCATIVE = re.compile(
    rf"^(?:dear|hey|hi|hello|attention|attn|to|cher|chere|chers|querid[oa]s?|estimad[oa]s?|hola|oye|atencion"
    rf"|liebe[rs]?|sehr geehrte[rs]?|hallo|achtung|a l'attention d[eu]s?|a la atencion de),?\s+(?:the |all |any "
    rf"|every |les? |la |l'|el |los |las |die |der |das |alle |des |aux )?(?:\w+ ){{0,2}}?(?:{AI}|assistants?"
    rf"|models?|bots?|asistentes?|assistente?s?|assistent(?:in|en)?|modell|modelos?|modeles?)\s*(?:[,:!.-]|$)"
)

POLITE = re.compile(r"(?:please|kindly|bitte|por favor|s'il (?:te|vous) plait|veuillez|merci de)\b")

BARE_VOCATIVE = re.compile(rf"^(?:the |all |any |every )?(?:{AI})(?: notes?| notices?| instructions?)?\s*[,:]\s*")

OTHER_VOCATIVES = re.compile(
    r"^(?:dear|hey|hi|hello|ok|okay|cher|chere|querid[oa]|hola|liebe[rs]?|hallo) (?:claude|gemini|copilot|llama"
    r"|mistral|qwen|grok|bard|siri|alexa|cortana|deepseek|perplexity)\b"
    rf"|^(?:(?:for|to|pour|para|fur) (?:the |all |any |every |les |la |los |las |alle )?"
    rf"|(?:a|aux|an) (?:toute?s? |tous |les |la |l'|chaque |alle |jede[nrms]? |die |den |das ))"
    rf"(?:\w+ ){{0,2}}?(?:{AI})"
    rf"(?: (?:that|who|which|qui|que|der|die|das)(?: \w+){{1,3}})?(?: only| seulement| solamente| nur)?\s*[:-]"
    rf"|^(?:\w+ ){{0,3}}?(?:for|to|pour|para|fur) (?:the|your|any|every|le|la|votre|el|tu|die|den) (?:\w+ )?"
    rf"{OUTPUT}\s*:"
    rf"|[(\[]\s*(?:note (?:to|for) )?(?:the )?(?:{AI})\s*[:,]"
    rf"|[(\[][^)\]]{{0,20}}?\b(?:to|for) (?:the |any |all |every )?(?:{AI})"
    rf"|^(?:\w+ )?(?:{AI}),? (?:take note|listen(?: up)?|pay attention|heads up|read (?:this|carefully))\b"
)

IDENTITY = re.compile(
    rf"\byou are (?:now |no longer |actually |really )?(?:\w+,? )?(?:an?|the|my) (?:\w+ ){{0,2}}?(?:assistant|qqai"
    rf"|model|chatbot|bot|language model|llm)\b"
    rf"|\b(?:if|when|in case|since) you(?:'re| are| were) (?:an?|the) (?:\w+ ){{0,2}}?(?:qqai|assistant|model"
    rf"|chatbot|bot|language model|summari[sz]er|crawler|agent|program|tool)\b"
    rf"|\bas an? (?:\w+ )?(?:qqai|language model|assistant|chatbot)\b,? you\b"
    rf"|\byou are (?:now )?in (?:developer|god|jailbreak|dan|unrestricted|admin|debug) mode\b"
    rf"|\byou,? (?:the|an?|dear) (?:\w+ )?(?:model|assistant|qqai|chatbot|bot|language model|summari[sz]er|llm)\b"
    rf"|\b(?:models?|assistants?|qqai|bots?|systems?|tools?|programs?) (?:just )?like you\b"
    rf"|\b(?:if|when|in case|since|while) (?:an?|the|any) (?:\w+ )?(?:{AI}) (?:is|are) (?:reading|processing"
    rf"|summari[sz]ing|analy[sz]ing|parsing|looking at) (?:this|these)\b"
    rf"|\b(?:any|every|each|all|the) (?:system|program|software|tool|agent|reader|crawler|scraper|script|process"
    rf"|pipeline|application|app|service|model|assistant|bot)s? (?:that is |which is |that are )?(?:reading|processing"
    rf"|summari[sz]ing|analy[sz]ing|parsing|ingesting|indexing|scanning|crawling) (?:this|these|the following"
    rf"|the above)\b"
    rf"|\bsi (?:vous etes|tu es) (?:une?|le|la) (?:\w+ ){{0,2}}?(?:qqai|assistant|modele|intelligence artificielle"
    rf"|chatbot|robot)"
    rf"|\bsi (?:eres|es usted) (?:una?|el|la) (?:\w+ ){{0,2}}?(?:qqai|asistente|modelo|inteligencia artificial"
    rf"|chatbot|robot)"
    rf"|\b(?:wenn|falls) (?:du|sie) (?:ein|eine|der|die) (?:\w+ ){{0,2}}?(?:qqai|sprachmodell|assistent|chatbot)\w*"
    rf" (?:bist|sind)\b"
    rf"|(?:{AI}) (?:that (?:is|are) |which (?:is|are) |who (?:is|are) )?(?:reading|processing|summari[sz]ing"
    rf"|analy[sz]ing|parsing|ingesting|indexing|scanning|crawling|handling|given|fed) (?:this|these|the following"
    rf"|the above)\b"
    rf"|(?:{AI}) qui (?:lit|lisent|resume|resument|analyse|analysent|traite|traitent) (?:cet|ce|cette|ces)\b"
    rf"|(?:{AI}) que (?:lee|leen|resume|resumen|analiza|analizan|procesa|procesan) (?:este|esta|estos|estas)\b"
    rf"|(?:{AI}),? (?:der|die|das) (?:diesen|diese|dieses) (?:\w+ ){{0,2}}?(?:liest|lesen|zusammenfasst"
    rf"|zusammenfassen|verarbeitet|verarbeiten|analysiert|analysieren)\b"
)

FAKE_BOUNDARY = re.compile(
    r"\b(?:end|beginning|start) of (?:the )?(?:article|document|text|input|source|user input|prompt|context|content"
    r"|data|system prompt|instructions|conversation)\b|\bfin (?:de l'article|du texte|du document)\b"
    r"|\bfin del (?:articulo|texto|documento)\b|\bende des (?:artikels|textes|dokuments)\b"
    r"|\b(?:new|updated|revised|real|actual|true|hidden|secret|additional|override|priority|urgent|important)"
    r" (?:system )?(?:instructions?|task|prompt|directives?|system message|system prompt)\s*(?::|are as follows)"
    r"(?=.*\b(?:summar|title|headline|answer|respon|output|repl|text|article|brief|qqai))"
    r"|\b(?:nouvelles?|vraies?) (?:instructions?|consignes?|taches?)\s*:|\b(?:nuevas?|verdaderas?) (?:instrucciones"
    r"|tareas?)\s*:|\b(?:neue|echte) (?:anweisungen|aufgabe|befehle)\s*:"
)

# "the only acceptable title is 'X'", "the headline for this story is "X"".
DICTATION = re.compile(
    rf"(?:{OUTPUT_STRONG.pattern})[^.;]{{0,40}}?\b(?:is|are|will be|should be|must be|reads|est|sera|es|sera|ist"
    r"|lautet)[:\s]+(?:\"[^\"]{2,}\"|(?<!\w)'[^']{2,}'(?!\w))"
)

LEAD_IN = re.compile(
    r":\s*$|\bfollows?\W*$|\b(?:what follows|the following|below|as follows|next sentence|ce qui suit|ci-dessous"
    r"|suivante?s?|a continuacion|lo siguiente|siguiente|folgende\w*|nachfolgend\w*|im folgenden)\b"
)

OPENERS_RE = re.compile(rf"(?:{OPENERS}\s+)*")

PAYLOAD_VERB = re.compile(r"(?:(?:do not|never|always|only) )?(?:output|print|respond|reply|return|repeat|answer)\b")

# Commands that only make sense to a text generator: "Respond only in French", "Output JSON".
AI_VERB = re.compile(r"(?:(?:do not|don't|never|always|only) )?(?:(?:respond|reply)(?! to)|output|summari[sz]e"
                      r"|rewrite|paraphrase|translate|reponds|repondez|responde|responda|antworte|traduisez|traduis"
                      r"|traduce|ubersetze)\b(?=\s+\w)")

DOC_WEAK = re.compile(r"\b(?:the|le|la|l'|el|den|das|die) (?:article|text|document|story|page|texte|articulo|texto"
                       r"|artikel|dokument|beitrag)\b")

# A short opening phrase before the command: "When summarising this article, mention...".
INTRO = re.compile(r"^(?:when|while|if|before|after|in|for|from|instead|as|once|whenever|since|during|at|on|to|quand"
                    r"|lorsque|si|avant|apres|dans|pour|au lieu|cuando|antes|despues|en|para|en vez|wenn|bevor|nachdem"
                    r"|bei|im|fur|statt|anstatt|whatever|whichever|no matter|from now on|going forward|starting now"
                    r"|desormais|a partir d|ab jetzt|von nun an|de ahora en adelante)\b[^,;:]{0,60}, ")

# AI that exists only as a reader of this text (unlike "AI systems", which rules also address).
READER_AI = re.compile(r"summari[sz](?:er|ers|ation|ing)\b|\b(?:automated|automatic|machine|qqai) (?:\w+ )?readers?"
                        r"|crawlers?|scrapers?|briefing (?:tools?|generators?|bots?)|\b(?:asked|used|tasked) to "
                        r"(?:brief|summari[sz]e|read)|\b(?:read|reads|reading|process|processes|processing"
                        r"|summari[sz](?:es?|ing)|brief(?:ing)? on) this\b")

# An output verb with the words to use: "describe the mayor as corrupt", "qualifier le ministre de menteur".
AS_COMPLEMENT = re.compile(r"\b(?:describe|call|portray|present|characteri[sz]e|label|refer to|depict|list|name"
                            r"|identify|decrire"
                            r"|qualifier|presenter|describir|presentar|calificar|bezeichnen|darstellen|beschreiben)\b.{1,60}?"
                            r"\b(?:as|comme|como|als|de)\b")

COMMENT_SPAN = re.compile(r"<!\s*--(.*?)(?:--\s*>|$)", re.DOTALL)
# Phrases and markup that mark a whole paragraph, whatever its sentences say one by one.
TELLTALE = re.compile(
    r"\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules)"
    r"|\b(?:system|developer)\s+(?:notice|prompt|message|mode|instructions?)\b"
    r"|\b(?:to|for)\s+the\s+(?:ai|assistant|(?:language\s+)?model|llm|chatbot)\b"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot)\b"
    r"|!\[[^\]]*\]\(|<\s*script\b",
    re.IGNORECASE,
)
