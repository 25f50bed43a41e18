"""Source text written to steer an AI model rather than inform a reader: three independent layers.

1. `neutralise_markup`: chat-template and role markup in what the model reads becomes an inert,
   readable form, so no source sentence can open or close a turn.
2. `addresses_ai` / `reason` / `flag_sentences`: a sentence that instructs an AI reader or dictates
   the output is recognised by what it does (who it addresses, what mood it is in, what it
   points at), not by a phrase list; reporting about instructions, orders or AI rules is not.
3. `smuggled`: the distinctive strings (codes, URLs, e-mail addresses, domains, brand or
   organisation names, quoted payloads) that model-written text takes from flagged sentences only,
   or that look like codes or addresses and occur nowhere in the sources.

Pure functions over strings, standard library only (`re`, `unicodedata`); nothing here calls a
model or knows the pipeline. English, French, Spanish and German are covered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# ---------------------------------------------------------------------------------------------
# Layer 1: markup that could become a turn
# ---------------------------------------------------------------------------------------------

_LT, _GT, _BAR = "<\uff1c\ufe64", ">\uff1e\ufe65", "|\uff5c"
# <|im_start|>, <|begin_of_text|>, <|eot_id|>, <|user|>, DeepSeek's fullwidth <｜begin▁of▁sentence｜>.
_SPECIAL_TOKEN = re.compile(rf"[{_LT}]\s*[{_BAR}]\s*([^{_LT}{_GT}{_BAR}\n]{{0,64}}?)\s*[{_BAR}]\s*[{_GT}]")
# Mistral's [INST] … [/INST] and its other control words.
_BRACKET_TOKEN = re.compile(r"\[\s*(/?)\s*(INST|SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\s*\]",
                            re.IGNORECASE)
# Llama 2's <<SYS>> … <</SYS>>.
_SYS_TOKEN = re.compile(rf"[{_LT}]\s*[{_LT}]\s*(/?)\s*SYS\s*[{_GT}]\s*[{_GT}]", re.IGNORECASE)
# Gemma's <start_of_turn>/<end_of_turn>, sentencepiece's <s>/</s>, other tokenizer words, and
# role tags such as </system> <user> <assistant role="x">.
_ROLE_TAG = re.compile(
    rf"[{_LT}]\s*(/?)\s*(start_of_turn|end_of_turn|s|unk|pad|eos|bos|eot|sep|cls|mask|system|user|assistant|human"
    rf"|developer|bot|model|ai|tool|function|instructions?|prompt|context|im_start|im_end|turn|inst|sys)"
    rf"(?:\s[^{_LT}{_GT}\n]{{0,80}}?)?\s*/?\s*[{_GT}]",
    re.IGNORECASE,
)
# Alpaca/Vicuna headings: "### Instruction:", "## Response".
_ROLE_HEADING = re.compile(
    r"^([ \t>]*)#{1,6}[ \t]*(instructions?|input|response|system|user|assistant|human|answer|output|prompt|context)"
    r"\b[ \t]*:?",
    re.IGNORECASE | re.MULTILINE,
)
# "System:", "Assistant:", "User:", "Human:" opening a line or a sentence (the prompt shows every
# sentence on its own line, so a sentence start is a line start for the model).
_ROLE_PREFIX = re.compile(
    r"(^|[.!?][\"”’')\]]?[ \t]+)([ \t>*_-]*)(system|assistant|user|human|developer)[ \t]*(\*\*)?[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# Bing-era markdown role links: "[system](#additional_instructions)".
_ROLE_LINK = re.compile(r"\[(system|assistant|user)\]\(#", re.IGNORECASE)
_RESIDUE = re.compile(rf"[{_LT}]\s*[{_BAR}]|[{_BAR}]\s*[{_GT}]")


def neutralise_markup(text: str) -> str:
    """Rewrite chat-template and role markup into an inert, readable form; other text is unchanged.

    `<|im_start|>` becomes `[im_start]`, `[INST]` `(INST)`, `<<SYS>>` `(SYS)`, `<start_of_turn>`
    `(start_of_turn)`, `</system>` `(/system)`, `### Instruction:` `(Instruction)`, and a line or
    sentence opening with `User:` opens with `(User)`. The words stay, so a reader (or the
    model) still sees that the source contained them, but no tokenizer reads a special token
    and no template reads a turn. Applied until nothing changes, so removing one layer of
    markup never assembles another. HTML such as `<b>` is left alone; a transcript whose
    speakers are literally "User:" reads "(User)", which keeps its meaning. Run it on what the
    model is shown, never on the text that hashes and quotes are taken from.
    """
    for _ in range(10):
        before = text
        text = _SPECIAL_TOKEN.sub(lambda m: f"[{m.group(1).strip()}]", text)
        text = _BRACKET_TOKEN.sub(lambda m: f"({m.group(1)}{m.group(2)})", text)
        text = _SYS_TOKEN.sub(lambda m: f"({m.group(1)}SYS)", text)
        text = _ROLE_TAG.sub(lambda m: f"({m.group(1)}{m.group(2)})", text)
        text = _ROLE_HEADING.sub(lambda m: f"{m.group(1)}({m.group(2)})", text)
        text = _ROLE_PREFIX.sub(lambda m: f"{m.group(1)}{m.group(2)}({m.group(3)})", text)
        text = _ROLE_LINK.sub(lambda m: f"({m.group(1)}) (#", text)
        if text == before:
            break
    return _RESIDUE.sub(lambda m: m.group().replace("<", "(").replace(">", ")").replace("\uff1c", "(")
                        .replace("\uff1e", ")"), text)


# ---------------------------------------------------------------------------------------------
# Layer 2: sentences that instruct an AI reader
# ---------------------------------------------------------------------------------------------
# Every pattern below runs on `_fold(sentence)`: NFKC, invisible characters removed, typographic
# quotes and dashes made plain, accents stripped, case folded, whitespace collapsed. The
# acronyms AI, A.I., KI, IA and LLM are recognised in their capitals (lower-case "ai" is French
# "j'ai") and become the word "qqai" before folding.

_ACRONYM = re.compile(r"(?<![\w])(?:A\.I\.|K\.I\.|I\.A\.|AIs?|KI|IA|LLMs?|GenAI)(?![\w])")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                         "–": "-", "—": "-", "‐": "-", "‑": "-"})
_HIDDEN_CHARS = re.compile("[\u200b\u2060-\u2064\ufeff\u180e\u202a-\u202e\u2066-\u2069]")
_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]")


# Cyrillic and Greek letters that look Latin, read as Latin inside a word that mixes scripts ("ignоre").
_CONFUSABLES = str.maketrans("аеорсуххіјѕԁɡһіјӏոԛԝαεικνορτυχАВЕКМНОРСТХІЈЅΑΒΕΗΙΚΜΝΟΡΤΥΧ",
                             "aeopcyxxijsdghijlnqwaeiknoptuxABEKMHOPCTXIJSABEHIKMNOPTYX")
_MIXED_WORD = re.compile(r"\w*[a-zA-Z]\w*")


def _unconfuse(text: str) -> str:
    return _MIXED_WORD.sub(lambda m: m.group().translate(_CONFUSABLES) if not m.group().isascii() else m.group(), text)


def _fold(sentence: str) -> str:
    text = _unconfuse(unicodedata.normalize("NFKC", sentence))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").translate(_QUOTES)
    text = _ACRONYM.sub("qqai", text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _alt(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"


# --- who the sentence talks to -----------------------------------------------------------------
_AI_HEAD = (r"(?:models?|systems?|assistants?|agents?|tools?|bots?|chat ?bots?|summari[sz]ers?|readers?|crawlers?"
            r"|scrapers?|programs?|software|pipelines?|engines?|writers?|generators?|analysts?|services?|briefings?"
            r"|summar(?:y|ies)|digests?|analys[ie]s|reviews?|editors?|modell\w*|system\w*|assistent\w*|zusammenfassung\w*"
            r"|werkzeug\w*|programm\w*|agent\w*|modeles?|modelos?|systemes?|sistemas?|outils?|herramientas?"
            r"|asistentes?|logiciels?|lecteurs?|lectores?)")
# What follows an AI word when it names something else: "AI providers", "chatbot makers".
_NOT_ADDRESSEE = (r"(?! (?:makers?|developers?|providers?|compan(?:y|ies)|firms?|industry|sector|markets?|startups?"
                  r"|start-ups?|office|act|acts|rules?|regulations?|laws?|polic(?:y|ies)|research\w*|experts?"
                  r"|safety|ethics|chips?|boom|race|investments?|spending|stocks?|shares|giants?|labs?|executives?"
                  r"|users?|businesses|products?|strategy|summit|bill|treaty|governance|watchdogs?|regulators?"
                  r"|skills|jobs|workers|revolution|era|age|hype|bubble|adoption|usage|training|development"
                  r"|technolog(?:y|ies)|capabilities|risks?|liability|deployers?|operators?|vendors?|suppliers?"
                  r"|manufacturers?|fabricants?|fournisseurs?|entreprises|empresas|proveedores|anbieter|hersteller"
                  r"|unternehmen|firmen)\b)")
_AI_TERMS = (
    # the acronym as an addressee: followed by what an AI is, by a verb or punctuation, not by a noun it modifies
    r"qqai(?:(?:-powered|-based| generative| general-purpose)?(?: ?-| )" + _AI_HEAD + r"\b"
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
    r"|(?:automated|automatic) (?:\w+ ){0,2}?" + _AI_HEAD +
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
_AI = rf"(?:{_AI_TERMS}){_NOT_ADDRESSEE}"
_AI_RE = re.compile(rf"\b(?:{_AI})")

# --- what the output is called -----------------------------------------------------------------
_OUTPUT = (r"(?:titles?|headlines?|summar(?:y|ies)|briefings?|answers?|responses?|repl(?:y|ies)|outputs?"
           r"|bottom lines?|abstract|synopsis|first (?:sentence|line|word|paragraph)|list of actors"
           r"|(?:actors?|risks?|positions?|timeline) (?:list|section|field)|open questions"
           r"|(?:text|json|output|every|each|all) fields?|titre|titres|resumes?|syntheses?|reponses?|sortie"
           r"|premiere phrase|titulos?|titular|titulares|resumen(?:es)?|respuestas?|salida|sintesis|primera frase"
           r"|titel|uberschrift(?:en)?|schlagzeilen?|zusammenfassung(?:en)?|antwort|ausgabe|fazit|erster satz)")
_DET = (r"(?:the|your|every|each|all|any|this|that|le|la|l'|les|votre|vos|ton|ta|tes|chaque|el|los|las|tu|tus"
        r"|cada|der|die|das|den|dem|jede[rnms]?|deine[rnms]?|ihre[rnms]?)")
_OUTPUT_STRONG = re.compile(
    rf"\b(?:your|votre|vos|ton|ta|tes|tu|tus|dein\w*) (?:\w+ ){{0,2}}?{_OUTPUT}\b"
    rf"|\b(?:as|comme|como|als) (?:{_DET} |an? )?(?:\w+ )?{_OUTPUT}\b"
    rf"|\b(?:in|into|to|at|dans|en|a|im|zu) {_DET} (?:(?:start|beginning|end|top|debut|fin|inicio|principio|final"
    rf"|anfang|ende) (?:of|de|del|der|des|du) (?:{_DET} )?)?{_OUTPUT}\b"
    rf"|\b{_OUTPUT} (?:of|for|about|on|de|del|des|du|zu|uber|von|sobre|pour|para) (?:this|these|the above"
    rf"|the following|cet|ce|cette|ces|este|esta|estos|dies\w*)\b"
    rf"|\b(?:any|every|each|all|toute?s?|tout|cualquier|tod[oa]s?|jede[rnms]?|alle) (?:\w+ ){{0,2}}?{_OUTPUT}\b"
    rf"|\bthe (?:correct|right|real|proper|actual|final|new|official|only)(?: \w+)? {_OUTPUT}\b"
)
_OUTPUT_WEAK = re.compile(rf"\b{_OUTPUT}\b")
_POSSESSED = re.compile(r"(?:'s|\b(?:his|her|their|its|our|my|son|sa|ses|leur|leurs|su|sus|sein\w*|ihr\w*)) $")

# --- the document itself -----------------------------------------------------------------------
_DOC_NOUN = (r"(?:article|text|document|page|webpage|web page|story|passage|post|paragraph|content|input|source|report"
             r"|message|e-?mail|piece|section|material|snippet|excerpt|file|transcript|site|website|blog|newsletter"
             r"|thread|review|listing|forum|texte|contenu|paragraphe"
             r"|extrait|courriel|depeche|articulo|texto|documento|pagina|pasaje|contenido|mensaje|parrafo"
             r"|fragmento|correo|nota|artikel\w*|text\w*|dokument\w*|seite|beitrag\w*|inhalt\w*|nachricht\w*"
             r"|absatz\w*|abschnitt\w*|meldung\w*)s?")
_DEIXIS = re.compile(
    rf"\b(?:this|these|the above|the preceding|the following|the present|the current|cet|ce|cette|ces"
    rf"|le present|la presente|este|esta|estos|estas|el presente|dies(?:er|en|em|es|e)|vorliegende[nrsm]?"
    rf"|obige[nrsm]?|folgende[nrsm]?)(?: \w+)? {_DOC_NOUN}\b"
    rf"|\bthe {_DOC_NOUN} (?:above|below)\b|\bci-(?:dessus|dessous)\b"
    r"|\b(?:reads?|reading|summari[sz](?:es?|ing)|process(?:es|ing)?|analy[sz](?:es?|ing)|pars(?:es?|ing))"
    r" (?:this|these|the above|the following)\b"
)
# The AI's own configuration: "your system prompt", "your instructions".
_AI_CONFIG = re.compile(r"\b(?:your|the) (?:system prompt|system message|initial prompt|hidden prompt|original prompt"
                        r"|pre-?prompt)\b|\byour (?:instructions|guidelines|rules|prompt|programming|configuration)\b")

# --- what a sentence asks for ------------------------------------------------------------------
_OVERRIDE_VERB = (r"(?:ignore|ignoring|disregard|forget|override|bypass|discard|abandon|set aside|never mind"
                  r"|pay no attention to|ignorez|ignorer|ne tenez (?:pas|plus) compte d|ne tiens pas compte d"
                  r"|oubliez|oublie|oublier|ne tenez pas compte d|faites abstraction d|ignora|ignorad|ignorar"
                  r"|olvida|olvidate|olvidese|olvidaos|olvide|olvidad|olvidar|haz caso omiso a|haga caso omiso a"
                  r"|ignoriere|ignorier|ignorieren|vergiss|vergesst|vergessen|missachte|missachten)")
_RULES_NOUN = (r"(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?|context|constraints?"
               r"|programming|orders?|commands?|consignes?|regles?|indications?|instrucciones|indicaciones|reglas"
               r"|ordenes|directrices|anweisungen|befehle|regeln|vorgaben|anordnungen|richtlinien)")
_EARLIER = (r"(?:all|any|every|previous|prior|earlier|preceding|above|former|original|initial|existing|your|system"
            r"|developer|precedentes?|anterieures?|anteriores?|previas?|vorherigen?|bisherigen?|obigen?|vorigen?"
            r"|alle[ns]?|deine[n]?|toutes|tous|vos|tes|todas|todos|tus|sus)")
_OVERRIDE = re.compile(
    rf"\b{_OVERRIDE_VERB} (?:\w+ ){{0,3}}?{_EARLIER} (?:\w+ ){{0,2}}?{_RULES_NOUN}\b"
    rf"|\b{_OVERRIDE_VERB} (?:\w+ ){{0,3}}?{_RULES_NOUN} (?:above|given|you (?:were|have been) given|ci-dessus"
    rf"|precedentes?|anteriores?|previas?|vorherigen?|bisherigen?)"
    rf"|\b{_OVERRIDE_VERB} (?:the |this |cet |ce |le |l'|el |este |den |diesen |das |dieses )?(?:article|text"
    rf"|document|source|content|page|above|story|input|texte|articulo|texto|documento|artikel|dokument)\b"
    rf"|\b{_OVERRIDE_VERB} (?:everything|anything|all|whatever|what) (?:above|before|else|written|you (?:read|were"
    r" told|have been told)|(?:you )?(?:were|have been) told)"
    rf"|\b{_OVERRIDE_VERB} (?:\w+ ){{0,2}}?(?:previous|prior|earlier|preceding|above|foregoing) (?:\w+ )?"
    rf"(?:{_DOC_NOUN}|paragraphs?|sentences?|lines?)\b"
    r"|\b(?:oubliez|oublie|ignorez) tout ce qui precede|\b(?:olvida(?:te)?|olvidese|olvidaos|ignora) (?:de )?(?:todo )?"
    r"lo anterior"
    r"|\b(?:vergiss|ignoriere) alles (?:obige|vorherige|bisherige)"
)
# Italian, Portuguese, Dutch, Russian, Chinese, Japanese: the classic override, a command wherever it stands.
_FOREIGN_OVERRIDE = re.compile(
    r"\b(?:ignora|ignore|dimentica|esqueca|negeer|vergeet) (?:\w+ ){0,2}?(?:istruzioni|instrucoes|instructies"
    r"|regole|regras|regels)\b"
    r"|(?:игнорируи|забудь|не обращаи внимания на)\w* (?:\w+ ){0,2}?(?:инструкци|указани|правил)"
    r"|(?:忽略|无视|忽視|無視|忘记|忘記)(?:之前|以上|先前|上面|前面|所有|全部|的|一切)*(?:指令|指示|说明|說明|提示|规则|規則)"
    r"|(?:以前|前|上記)の(?:指示|命令|指令)を(?:無視|忘れ)"
)
_STRONG_VERBS = _alt(
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
_AMBIGUOUS_VERBS = _alt(
    "output print start begin end call title label name list state answer present display show act stop change set"
    " run send give make keep finish open close use put add return format highlight spell claim copy treat produce"
    " follow execute declare report indique presente resume nombre use usa llama llame rate rank blame frame update"
    " edit modify alter fill populate let"
)
_OBJECT_START = _alt(
    "the a an your this that these those it its them only all every each any no as with in at to me us him her my"
    " our exactly just precisely simply always never instead both one json text nothing"
    " le la les l' un une votre vos ce cette cet"
    " que qu' el los las su tu este esta lo a al den die das dem einen eine deine ihre dass nur"
) + r"\b|\"|'|[a-z]{2,}-?\d"
_GERMAN_FORMAL = _alt(
    "ignorieren vergessen schreiben erwahnen beschreiben nennen fugen geben antworten ubersetzen fassen bezeichnen"
    " verwenden beginnen beenden setzen sagen behaupten empfehlen stellen formulieren betonen lassen"
)
_IMPERATIVE = re.compile(
    rf"(?:(?:do not|don't|never|always|only|ne|n'|no|nicht) )?(?:{_STRONG_VERBS}\b(?! ?[-:])"
    rf"|{_AMBIGUOUS_VERBS} (?:{_OBJECT_START})|{_GERMAN_FORMAL} sie\b"
    rf"|{_AMBIGUOUS_VERBS} (?:\S+ ){{1,5}}?(?:in|into|at|as|to) (?:the |your |a |an )?(?:\w+ )?{_OUTPUT}\b"
    r"|make sure|be sure|merci de|pensez a|n'oubliez pas|achte darauf|stelle sicher|por favor,? \w+"
    rf"|(?!ignoring){_OVERRIDE_VERB}(?:e?s|u|e)?\s"
    r"|(?:enter|enable|activate|switch to) (?:developer|god|jailbreak|dan|unrestricted) mode)"
)
_OPENERS = _alt("please kindly now also then and finally instead additionally simply just first next lastly"
                " bitte svp ensuite puis et aussi y luego ahora tambien und dann auch jetzt")
_CLAUSE_START = re.compile(rf"(?:^|[,;:(]\s*[\"']?|[.?!]\s+"
                           rf"|\b(?:and|then|et|puis|ensuite|y|luego|und|dann|or|please|bitte)\s+)(?:{_OPENERS}\s+)*")

_MODAL = re.compile(
    r"\b(?:must|should|shall|(?<!would )(?<!could )(?<!might )(?<!will )(?<!may )(?:has|have|needs?) to|is to|are to"
    r"|(?:is|are) (?:kindly |hereby |politely |strictly |therefore |also )?(?:required|expected|instructed|asked"
    r"|requested|supposed|obliged|directed) to|ought to|(?:wird|werden) (?:\w+ )?(?:gebeten|aufgefordert|angewiesen)"
    r"|doit|doivent|dois|devez|devra|devront|devrait|devraient|devrais|devriez|est tenue? de|sont tenue?s de"
    r"|debe|deben|debes|debera|deberan|deberas|deberia|deberian|deberias|tiene que|tienen que|tienes que"
    r"|muss|mussen|musst|soll|sollen|sollst|sollte|sollten|solltest|will)\b"
)
_OBLIGATION_FRAME = re.compile(
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
_SECOND_PERSON = re.compile(r"\b(?:you|vous|tu|usted|ustedes|du)\b|\b(?:debes|deberias|tienes que|musst|sollst)\b")
_REQUEST = re.compile(
    r"\b(?:can|could|would|will) you (?:please |kindly )?\w+|\bi (?:want|need|would like|'d like) you to\b"
    r"|\byou are (?:hereby )?(?:instructed|asked|requested|required|told|ordered|directed|expected|supposed) to\b"
    r"|\byour (?:real |new |actual |only )?(?:task|job|role|goal|mission|purpose|instructions|objective|assignment)"
    r" (?:is|are|now|:)"
    r"|\b(?:pourriez|pouvez|voudriez)-vous\b|\bje (?:veux|voudrais) que (?:tu|vous)\b|\bpodrias\b|\bpodria usted\b"
    r"|\bquiero que\b|\b(?:konntest|kannst) du\b|\b(?:konnten|wurden) sie bitte\b"
)
_OUTPUT_VERB = re.compile(
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
_PAYLOAD = re.compile(r"\"[^\"]{2,}\"|(?<!\w)'[^']{2,}'(?!\w)|\b[a-z]{2,}-?\d{2,}\b|https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|org|net|io"
                      r"|example|info|biz|xyz|ai|app)\b|@")
_REPORTING = re.compile(
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

# --- standalone signals ------------------------------------------------------------------------
_MARKUP = re.compile(
    rf"[{_LT}]\s*[{_BAR}][^{_LT}{_GT}\n]{{0,64}}[{_BAR}]\s*[{_GT}]|\[\s*/?\s*(?:INST|SYSTEM_PROMPT)\s*\]"
    rf"|[{_LT}]{{2}}\s*/?\s*SYS\s*[{_GT}]{{2}}|[{_LT}]\s*(?:start|end)_of_turn\s*[{_GT}]"
    rf"|[{_LT}]\s*/?\s*(?:system|user|assistant|human|developer|im_start|im_end|instructions?|prompt)"
    rf"(?:\s[^{_LT}{_GT}\n]{{0,80}}?)?\s*/?\s*[{_GT}]|^[\s>*#-]*#{{1,6}}\s*(?:instructions?|response|system|assistant|human|user)\b"
    r"|^[\s>*_-]*(?:system|assistant|user|human|developer)\s*(?:\*\*)?\s*:|\[(?:system|assistant|user)\]\(#"
    r"|^\W*\[\s*(?:system|assistant|developer)(?: message| prompt| note)?\s*\]",
    re.IGNORECASE,
)
_TURN_OPEN = re.compile(rf"[{_BAR}]\s*im_start\s*[{_BAR}]\s*[{_GT}]\s*(?:system|assistant|developer)\b"
                        rf"|[{_LT}]\s*(?:system|assistant|developer)\b[^{_GT}]*[{_GT}]|\[\s*INST\s*\]"
                        rf"|[{_LT}]{{2}}\s*SYS\s*[{_GT}]{{2}}|start_of_turn\s*[{_GT}]\s*(?:system|model|user)"
                        r"|^[\s#>*-]*#{1,6}\s*(?:instructions?|system)\b|^\s*(?:system|developer)\s*:\s*$",
                        re.IGNORECASE)
_TURN_CLOSE = re.compile(rf"im_end|eot_id|end_of_turn|[{_LT}]\s*/\s*(?:system|assistant|developer)\b|\[\s*/\s*INST"
                         rf"|/\s*SYS|im_start\s*[{_BAR}]\s*[{_GT}]\s*user|[{_LT}]\s*user\s*[{_GT}]", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)
_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;\"']"
                     r"|opacity\s*:\s*0(?:\.0+)?\s*[;\"']|!\[[^\]]*\]\(|<\s*(?:script|iframe|img|object|embed|style)\b"
                     r"|<[a-z][^<>]*\b(?:hidden|aria-hidden)\b[^<>]*>|^\s*\[(?://|comment|_)\]:\s*#",
                     re.IGNORECASE)
_ASSIGNMENT = re.compile(rf"\b{_OUTPUT}\s*(?:=|:=|->)\s*[\"']")
_JSON_KEY = re.compile(r'"\s*([a-z_][a-z0-9_ ]{0,30})"\s*:\s*["\[{\d]')
_JSON_CLOSE = re.compile(r'["\]}]\s*[}\]]|^\s*"?\s*[}\]]')
# Keys of an answer or a chat message: one is enough; other keys need two, or a brace that closes.
_OUTPUT_KEY = re.compile(r"title|summary|headline|answer|response|bottom|output|instruction|prompt|system|role|content"
                         r"|actors?|risks?|positions|timeline|questions|override")
_ADDRESS = re.compile(
    rf"\b(?:next|following|this|last|below|above) (?:sentence|paragraph|line|part|section|passage)s? (?:is |are )?"
    rf"(?:\w+ )?(?:for|to|at) (?:the |all |any )?(?:\w+ )?(?:{_AI})|"
    rf"^(?:\w+ ){{0,3}}?(?:{_OUTPUT}|notes?|info|information|facts?|context|important|mandatory|obligatoire"
    rf"|obligatorio|pflicht\w*)(?: \w+)? (?:for|to|pour|para|fur|a|aux) (?:the |all |any |les |la |los |las |alle "
    rf"|die )?(?:\w+ )?(?:{_AI})\s*:"
    rf"|\b(?:notes?|messages?|instructions?|notices?|reminders?|warnings?|attention|memo|requests?|directives?"
    rf"|commands?|hints?|updates?|corrections?|disclaimer|advice|questions?|tasks?|prompt)\b[^.:;]{{0,24}}?\b"
    rf"(?:to|for) (?:the |all |any |every |each |our )?(?:\w+ ){{0,2}}?(?:{_AI})"
    rf"|\b(?:notes?|messages?|consignes?|instructions?|avis|rappels?|avertissements?|remarques?) (?:a l'attention"
    rf"|a l'intention|pour|aux?|destinee?s? aux?) (?:d[eu]s? |l'|les? |la )?(?:\w+ ){{0,2}}?(?:{_AI})"
    rf"|\b(?:nota|mensaje|instruccion|instrucciones|aviso|advertencia|recordatorio)s? (?:para|a) (?:el |la |los "
    rf"|las |cualquier |todo |toda )?(?:\w+ ){{0,2}}?(?:{_AI})"
    rf"|\bp\.?s\.? (?:to|for) (?:the |all |any )?(?:\w+ ){{0,2}}?(?:{_AI})"
    rf"|\b(?:hinweis|nachricht|anweisung|notiz|mitteilung|achtung|warnung)(?:en|e)? (?:an|fur) (?:die |den |das "
    rf"|alle |jede[ns]? )?(?:\w+ ){{0,2}}?(?:{_AI})"
)
_VOCATIVE = re.compile(
    rf"^(?:dear|hey|hi|hello|attention|attn|to|cher|chere|chers|querid[oa]s?|estimad[oa]s?|hola|oye|atencion"
    rf"|liebe[rs]?|sehr geehrte[rs]?|hallo|achtung|a l'attention d[eu]s?|a la atencion de),?\s+(?:the |all |any "
    rf"|every |les? |la |l'|el |los |las |die |der |das |alle |des |aux )?(?:\w+ ){{0,2}}?(?:{_AI}|assistants?"
    rf"|models?|bots?|asistentes?|assistente?s?|assistent(?:in|en)?|modell|modelos?|modeles?)\s*(?:[,:!.-]|$)"
)
_POLITE = re.compile(r"(?:please|kindly|bitte|por favor|s'il (?:te|vous) plait|veuillez|merci de)\b")
_BARE_VOCATIVE = re.compile(rf"^(?:the |all |any |every )?(?:{_AI})(?: notes?| notices?| instructions?)?\s*[,:]\s*")
_OTHER_VOCATIVES = re.compile(
    r"^(?:dear|hey|hi|hello|ok|okay|cher|chere|querid[oa]|hola|liebe[rs]?|hallo) (?:claude|gemini|copilot|llama"
    r"|mistral|qwen|grok|bard|siri|alexa|cortana|deepseek|perplexity)\b"
    rf"|^(?:(?:for|to|pour|para|fur) (?:the |all |any |every |les |la |los |las |alle )?"
    rf"|(?:a|aux|an) (?:toute?s? |tous |les |la |l'|chaque |alle |jede[nrms]? |die |den |das ))"
    rf"(?:\w+ ){{0,2}}?(?:{_AI})"
    rf"(?: (?:that|who|which|qui|que|der|die|das)(?: \w+){{1,3}})?(?: only| seulement| solamente| nur)?\s*[:-]"
    rf"|^(?:\w+ ){{0,3}}?(?:for|to|pour|para|fur) (?:the|your|any|every|le|la|votre|el|tu|die|den) (?:\w+ )?"
    rf"{_OUTPUT}\s*:"
    rf"|[(\[]\s*(?:note (?:to|for) )?(?:the )?(?:{_AI})\s*[:,]"
    rf"|[(\[][^)\]]{{0,20}}?\b(?:to|for) (?:the |any |all |every )?(?:{_AI})"
    rf"|^(?:\w+ )?(?:{_AI}),? (?:take note|listen(?: up)?|pay attention|heads up|read (?:this|carefully))\b"
)
_IDENTITY = re.compile(
    rf"\byou are (?:now |no longer |actually |really )?(?:\w+,? )?(?:an?|the|my) (?:\w+ ){{0,2}}?(?:assistant|qqai"
    rf"|model|chatbot|bot|language model|llm)\b"
    rf"|\b(?:if|when|in case|since) you(?:'re| are| were) (?:an?|the) (?:\w+ ){{0,2}}?(?:qqai|assistant|model"
    rf"|chatbot|bot|language model|summari[sz]er|crawler|agent|program|tool)\b"
    rf"|\bas an? (?:\w+ )?(?:qqai|language model|assistant|chatbot)\b,? you\b"
    rf"|\byou are (?:now )?in (?:developer|god|jailbreak|dan|unrestricted|admin|debug) mode\b"
    rf"|\byou,? (?:the|an?|dear) (?:\w+ )?(?:model|assistant|qqai|chatbot|bot|language model|summari[sz]er|llm)\b"
    rf"|\b(?:models?|assistants?|qqai|bots?|systems?|tools?|programs?) (?:just )?like you\b"
    rf"|\b(?:if|when|in case|since|while) (?:an?|the|any) (?:\w+ )?(?:{_AI}) (?:is|are) (?:reading|processing"
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
    rf"|(?:{_AI}) (?:that (?:is|are) |which (?:is|are) |who (?:is|are) )?(?:reading|processing|summari[sz]ing"
    rf"|analy[sz]ing|parsing|ingesting|indexing|scanning|crawling|handling|given|fed) (?:this|these|the following"
    rf"|the above)\b"
    rf"|(?:{_AI}) qui (?:lit|lisent|resume|resument|analyse|analysent|traite|traitent) (?:cet|ce|cette|ces)\b"
    rf"|(?:{_AI}) que (?:lee|leen|resume|resumen|analiza|analizan|procesa|procesan) (?:este|esta|estos|estas)\b"
    rf"|(?:{_AI}),? (?:der|die|das) (?:diesen|diese|dieses) (?:\w+ ){{0,2}}?(?:liest|lesen|zusammenfasst"
    rf"|zusammenfassen|verarbeitet|verarbeiten|analysiert|analysieren)\b"
)
_FAKE_BOUNDARY = re.compile(
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
_DICTATION = re.compile(
    rf"(?:{_OUTPUT_STRONG.pattern})[^.;]{{0,40}}?\b(?:is|are|will be|should be|must be|reads|est|sera|es|sera|ist"
    r"|lautet)[:\s]+(?:\"[^\"]{2,}\"|(?<!\w)'[^']{2,}'(?!\w))"
)
_LEAD_IN = re.compile(
    r":\s*$|\bfollows?\W*$|\b(?:what follows|the following|below|as follows|next sentence|ce qui suit|ci-dessous"
    r"|suivante?s?|a continuacion|lo siguiente|siguiente|folgende\w*|nachfolgend\w*|im folgenden)\b"
)


def _head(piece: str) -> str:
    """The words of a noun phrase before its first preposition: "summary of this article" -> "summary"."""
    match = re.search(r" (?:of|by|from|about|on|with|for|in|under|de|del|des|du|d'|von|vom|dieses|dieser|da|para"
                      r"|por|pour|sur|avec|mit|uber|fur|zu) ", f" {piece} ")
    return piece[: max(match.start() - 1, 0)] if match else piece


def _subject(region: str) -> str | None:
    """What the clause before a modal is about: "ai", "output", "you", or None."""
    pieces = [p.strip() for p in re.split(r"[,;:(\"|]", region) if p.strip()]
    for piece in reversed(pieces[-3:]):
        if piece.endswith(")"):  # an aside: "Summary writers (human or machine) must..."
            continue
        head = _head(piece)
        if _AI_RE.search(head):
            return "ai"
        weak = _OUTPUT_WEAK.search(head)
        if weak and not _POSSESSED.search(head[: weak.start()]):
            return "output"
        if _SECOND_PERSON.search(head):
            return "you"
        if len(piece.split()) > 2:
            return None
    return None


def _target(text: str, verb: tuple[int, int] | None = None) -> int:
    """How plainly a sentence points at an AI reader, its output or the document itself.

    `verb` is the span of a command that opens the sentence: then a bare output noun ("the
    headline") or "the article" counts too, though never the command word itself ("Answer the call").
    """
    score = 2 if _OVERRIDE.search(text) else 0
    score += bool(_AI_RE.search(text) or _AI_CONFIG.search(text)) + bool(_DEIXIS.search(text))
    if _OUTPUT_STRONG.search(text):
        score += 1
    elif verb is not None:
        score += any(not (m.start() < verb[1] and m.end() > verb[0]) and not _POSSESSED.search(text[: m.start()])
                     for m in _OUTPUT_WEAK.finditer(text))
    if verb is not None:
        score += bool(_DOC_WEAK.search(text) or _AI_VERB.match(text, verb[0]))
    return score


def _imperative_at(text: str) -> list[int]:
    """Offsets where a clause opens with an imperative (0 is the sentence start), at most `_MOST` of them."""
    found = []
    for match in _CLAUSE_START.finditer(text):
        if _IMPERATIVE.match(text, match.end()):
            found.append(match.end())
            if len(found) == _MOST:
                break
    return found


# Commands and modals looked at per sentence, and the characters around each that are read with it:
# a run-on "sentence" of thousands of words costs linear time, not quadratic.
_MOST, _BEFORE, _AFTER = 40, 250, 300


_OPENERS_RE = re.compile(rf"(?:{_OPENERS}\s+)*")


def _strip_lead(text: str) -> str:
    """Drop opening punctuation, bullets and a short label ("Note:", "Important -")."""
    text = re.sub(r"^[\W_]+", "", text)
    label = re.match(r"^[^:]{1,60}:\s+", text)
    if label and len(label.group().split()) <= 8:
        return re.sub(r"^[\W_]+", "", text[label.end():])
    return text


def _opens_with_imperative(text: str) -> bool:
    """Whether text opens with a command, after openers such as "please", "also", "then"."""
    return _IMPERATIVE.match(text, _OPENERS_RE.match(text).end()) is not None  # type: ignore[union-attr]


def _is_imperative(sentence: str) -> bool:
    """Whether a sentence opens like a command (used for instructions continued over sentences)."""
    return _opens_with_imperative(_strip_lead(_fold(sentence)))


def _check_markup(raw: str, text: str) -> str | None:
    if _TAG_CHARS.search(raw):
        return "hidden tag characters"
    if len(_HIDDEN_CHARS.findall(raw)) >= 3:
        return "hidden characters inside the text"
    if _MARKUP.search(unicodedata.normalize("NFKC", raw).strip()):
        return "chat-template or role markup"
    if _HIDING.search(raw):
        return "hidden or executable markup"
    if _ASSIGNMENT.search(text):
        return "assigns the answer's fields"
    keys = list(_JSON_KEY.finditer(text))
    # Two keys, an answer's key, or one key after a brace that closes what came before ('"}], "x":').
    if len(keys) >= 2 or (keys and (_JSON_CLOSE.search(text, 0, keys[0].start()) or _OUTPUT_KEY.search(keys[0][1]))):
        return "JSON that tries to write the answer"
    for comment in _HTML_COMMENT.findall(raw):
        body = _fold(comment)
        if len(body.split()) >= 3 or _AI_RE.search(body) or _IMPERATIVE.match(body):
            return "HTML comment (hidden text)"
    return None


def _check_address(text: str) -> str | None:
    text = re.sub(r"^[\W_]+", "", text)
    if _IDENTITY.search(text):
        return "speaks to an AI reader of this text"
    if _VOCATIVE.search(text):
        return "addresses an AI reader"
    bare = _BARE_VOCATIVE.match(text)
    rest = text[bare.end():] if bare else ""
    if bare and (_opens_with_imperative(rest) or _SECOND_PERSON.match(rest) or _POLITE.match(rest)
                 or _OUTPUT_STRONG.search(rest) or re.match(rf"(?:the |le |la |el |der |die |das )?{_OUTPUT}\b", rest)
                 or (":" in bare.group() and _MODAL.search(rest)
                     and (_OUTPUT_WEAK.search(rest) or _OUTPUT_VERB.search(rest)))):
        return "addresses an AI reader"
    if _OTHER_VOCATIVES.search(text):
        return "addresses an AI reader"
    if _ADDRESS.search(text) and not _reports(text):
        return "a note addressed to AI models"
    if _FOREIGN_OVERRIDE.search(text):
        return "tells the model to drop its instructions"
    if _DICTATION.search(text) and (_DEIXIS.search(text) or _AI_RE.search(text) or _SECOND_PERSON.search(text)
                                    or re.search(r"\b(?:your|votre|vos|tu|tus|dein\w*)\b", text)):
        return "dictates the output"
    if _FAKE_BOUNDARY.search(text) and len(text.split()) <= 12:
        return "a fake end of the document or new instructions"
    return None


_PAYLOAD_VERB = re.compile(r"(?:(?:do not|never|always|only) )?(?:output|print|respond|reply|return|repeat|answer)\b")
# Commands that only make sense to a text generator: "Respond only in French", "Output JSON".
_AI_VERB = re.compile(r"(?:(?:do not|don't|never|always|only) )?(?:(?:respond|reply)(?! to)|output|summari[sz]e"
                      r"|rewrite|paraphrase|translate|reponds|repondez|responde|responda|antworte|traduisez|traduis"
                      r"|traduce|ubersetze)\b(?=\s+\w)")
_DOC_WEAK = re.compile(r"\b(?:the|le|la|l'|el|den|das|die) (?:article|text|document|story|page|texte|articulo|texto"
                       r"|artikel|dokument|beitrag)\b")
# A short opening phrase before the command: "When summarising this article, mention...".
_INTRO = re.compile(r"^(?:when|while|if|before|after|in|for|from|instead|as|once|whenever|since|during|at|on|to|quand"
                    r"|lorsque|si|avant|apres|dans|pour|au lieu|cuando|antes|despues|en|para|en vez|wenn|bevor|nachdem"
                    r"|bei|im|fur|statt|anstatt|whatever|whichever|no matter|from now on|going forward|starting now"
                    r"|desormais|a partir d|ab jetzt|von nun an|de ahora en adelante)\b[^,;:]{0,60}, ")


def _reports(text: str) -> bool:
    """Whether a sentence reports what someone said or required; not when it points at this very document."""
    return _REPORTING.search(text) is not None and _DEIXIS.search(text) is None


def _check_imperative(text: str) -> str | None:
    reporting = _reports(text)
    for body in dict.fromkeys((_strip_lead(text), re.sub(r"^[\W_]+", "", text))):
        start = _OPENERS_RE.match(body).end()  # type: ignore[union-attr]
        intro = _INTRO.match(body)
        for offset in _imperative_at(body):
            verb = _IMPERATIVE.match(body, offset)
            at_start = offset <= start or (intro is not None and offset <= intro.end() + 12)
            lo = max(0, offset - _BEFORE)
            window = body[lo: offset + _AFTER]
            score = _target(window, (verb.start() - lo, verb.end() - lo) if verb and at_start else None)
            if at_start and _PAYLOAD_VERB.match(body, offset) and _PAYLOAD.search(window, offset - lo):
                score += 1
            # An imperative in quotes in a sentence that reports speech is what someone said; one quoted
            # in the middle of a sentence that goes on is a phrase mentioned, not a command given.
            quoted = (at_start and text.startswith(("\"", "'"))) or body[:offset].rstrip().endswith(("\"", "'"))
            closing = re.search(r"[\"']", body[offset:]) if quoted else None
            mentioned = closing is not None and len(body[offset + closing.end():].split()) >= 4
            if score >= 1 + reporting and not (quoted and reporting) and not mentioned:
                return "an imperative aimed at the AI, its output or this document"
    return None


def _check_obligation(text: str) -> str | None:
    reporting = _reports(text)
    for n, found in enumerate(_MODAL.finditer(text)):
        if n == _MOST:
            break
        lo = max(0, found.start() - _BEFORE)
        window = text[lo: found.end() + _AFTER]
        match = _MODAL.search(window, found.start() - lo)
        assert match is not None
        subject = _subject(window[: match.start()])
        if subject is None and match.group() in ("debes", "deberias", "tienes que", "musst", "sollst"):
            subject = "you"
        if match.group() == "will" and subject == "output":
            continue
        # "is asked to", "werden gebeten": a request made of an AI by name is itself one sign.
        asked = subject == "ai" and re.search(r"asked|requested|instructed|directed|gebeten|aufgefordert|angewiesen",
                                             match.group()) is not None
        if subject and _obliges(window, window[match.end():], subject, reporting, int(asked)):
            return f"an obligation laid on the {'AI' if subject == 'ai' else subject}"
    for frame in list(_OBLIGATION_FRAME.finditer(text))[:_MOST]:
        rest = text[frame.end(): frame.end() + _AFTER]
        opening = " ".join(rest.split()[:8])
        subject = "ai" if _AI_RE.search(opening) else "output" if _OUTPUT_WEAK.search(opening) else \
            "you" if _SECOND_PERSON.search(opening) else None
        # A request made of an AI by name is itself one sign.
        window = text[max(0, frame.start() - _BEFORE): frame.end() + _AFTER]
        if subject and _obliges(window, rest, subject, reporting, 1 if subject == "ai" else 0):
            return "an obligation laid on the AI or its output"
    if _REQUEST.search(text) and _target(text, (0, 0)) + bool(_OUTPUT_VERB.search(text)) >= 2 and not reporting:
        return "a request to the AI reader"
    return None


# AI that exists only as a reader of this text (unlike "AI systems", which rules also address).
_READER_AI = re.compile(r"summari[sz](?:er|ers|ation|ing)\b|\b(?:automated|automatic|machine|qqai) (?:\w+ )?readers?"
                        r"|crawlers?|scrapers?|briefing (?:tools?|generators?|bots?)|\b(?:asked|used|tasked) to "
                        r"(?:brief|summari[sz]e|read)|\b(?:read|reads|reading|process|processes|processing"
                        r"|summari[sz](?:es?|ing)|brief(?:ing)? on) this\b")
# An output verb with the words to use: "describe the mayor as corrupt", "qualifier le ministre de menteur".
_AS_COMPLEMENT = re.compile(r"\b(?:describe|call|portray|present|characteri[sz]e|label|refer to|depict|list|name"
                            r"|identify|decrire"
                            r"|qualifier|presenter|describir|presentar|calificar|bezeichnen|darstellen|beschreiben)\b.{1,60}?"
                            r"\b(?:as|comme|como|als|de)\b")


def _obliges(text: str, predicate: str, subject: str, reporting: bool, score: int = 0) -> bool:
    """Whether what follows a modal dictates the output: two signs needed, reporting counts against.

    The signs: the sentence points at this document; the predicate carries a payload (a quoted
    string, a code, an address), overrides earlier instructions (two signs), names the output
    or uses an output verb (describe, mention, title, begin with...). An output subject counts
    only when it is plainly the output ("every summary", "the correct headline"), not "the
    government's response".
    """
    score += bool(_DEIXIS.search(text)) + bool(_PAYLOAD.search(predicate)) + 2 * bool(_OVERRIDE.search(predicate))
    verb = _OUTPUT_VERB.search(predicate)
    if subject == "output":
        score += bool(_OUTPUT_STRONG.search(text[: len(text) - len(predicate)]))
    else:
        score += bool(_OUTPUT_STRONG.search(text)) or any(
            not (verb and m.start() < verb.end() and m.end() > verb.start()) for m in _OUTPUT_WEAK.finditer(predicate))
    if subject == "ai":
        score += bool(_DOC_WEAK.search(predicate)) + bool(_READER_AI.search(text[: len(text) - len(predicate)]))
    score += _AS_COMPLEMENT.search(predicate) is not None
    score += verb is not None
    return score - 2 * reporting >= 2


_CHECKS: tuple[Callable[[str], str | None], ...] = (_check_address, _check_imperative, _check_obligation)


def reason(sentence: str) -> str | None:
    """Why a sentence reads as an instruction to an AI model, or None when it does not.

    It is flagged when it carries chat or role markup, hidden text (HTML comments, hiding CSS,
    invisible characters) or JSON that tries to write the answer; when it addresses an AI reader
    ("Note for AI summarisers", "if you are a language model"); or when a command or obligation
    (imperative, "please", "must", "doit", "debe", "muss", "could you…") points at an AI reader,
    the output (title, headline, summary, answer…) or this document, unless it reports what
    someone said, ordered or required.
    """
    text = _fold(sentence)
    found = _check_markup(sentence, text)
    for check in _CHECKS:
        found = found or check(text)
    return found


def addresses_ai(sentence: str) -> bool:
    """Whether a sentence instructs an AI model reading it (see `reason`)."""
    return reason(sentence) is not None


# A short sentence that only addresses the AI ("Attention, language models.") introduces the next one.
_ADDRESSING = ("addresses an AI reader", "a note addressed to AI models", "speaks to an AI reader of this text")


def explain_sentences(sentences: list[str]) -> list[str | None]:
    """`reason` for each sentence of a document in order, with instructions that run on.

    Besides the sentences flagged on their own, a sentence is flagged when the one before is an
    AI-addressing lead-in (it ends in ":" or announces what follows), when it continues a flagged
    command in the imperative, when it sits inside a turn that chat markup opened (until the markup
    closes it, at most five sentences) or inside an HTML comment opened before it.
    """
    reasons: list[str | None] = [reason(s) for s in sentences]
    for i in _in_comments(sentences):
        reasons[i] = reasons[i] or "inside an HTML comment"
    turn = 0
    for i, sentence in enumerate(sentences):
        previous = reasons[i - 1] if i else None
        if reasons[i] is None and previous is not None:
            lead = _fold(sentences[i - 1])
            if _LEAD_IN.search(lead) or (previous in _ADDRESSING and len(lead.split()) <= 8):
                reasons[i] = "follows a lead-in addressed to AI models"
            elif _is_imperative(sentence):
                reasons[i] = "continues an instruction to AI models"
        if reasons[i] is None and turn > 0:
            reasons[i] = "inside a chat turn opened by markup"
        folded = unicodedata.normalize("NFKC", sentence)
        turn = 0 if _TURN_CLOSE.search(folded) else 5 if _TURN_OPEN.search(folded) else max(turn - 1, 0)
    return reasons


_COMMENT_SPAN = re.compile(r"<!\s*--(.*?)(?:--\s*>|$)", re.DOTALL)


def _in_comments(sentences: list[str]) -> list[int]:
    """Indexes of sentences inside an HTML comment with words in it, wherever the splitter cut it ("<!" alone)."""
    starts, pos = [], 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence) + 1
    inside: list[int] = []
    for match in _COMMENT_SPAN.finditer("\n".join(sentences)):
        body = _fold(match.group(1))
        if len(body.split()) >= 3 or _AI_RE.search(body) or _IMPERATIVE.match(body):
            inside += [i for i, start in enumerate(starts)
                       if start < match.end() and start + len(sentences[i]) > match.start()]
    return inside


def flag_sentences(sentences: list[str]) -> list[bool]:
    """Which sentences of a document instruct AI models (see `explain_sentences`)."""
    return [r is not None for r in explain_sentences(sentences)]


# ---------------------------------------------------------------------------------------------
# Layer 3: what the output takes from flagged text
# ---------------------------------------------------------------------------------------------

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TLDS = ("com org net info biz io app dev xyz online site shop store top club example test invalid gov edu int"
         " news link click live life world").split()
# A name with a generic top-level domain or a two-letter country one ("deals.example", "news.co").
_DOMAIN = re.compile(rf"(?<![@\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
                     rf"(?:{'|'.join(_TLDS)}|[a-z]{{2}})\b(?![.-]?\w)")
# Codes as attackers write them: TANGO-88, SPRING20, X7-ALPHA; also well-known public ones, skipped below.
_CODE = re.compile(r"\b(?=[A-Z0-9_-]*\d)(?=(?:[0-9_-]*[A-Z]){2})[A-Z0-9]+(?:[-_][A-Z0-9]+)*\b")
_CODE_ANY_CASE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\b")
_WORD_NUMBER = re.compile(r"\b[A-Za-z]{2,} \d+\b")  # "Tango 88", which a model may write for TANGO-88
# Codes the world writes, which a model may add from what it knows; not evidence of an attack.
_PUBLIC_CODES = re.compile(r"COVID-19|SARS-COV-2|MERS-COV|H\d+N\d+|PM\d+|COP-?\d+|MH\d+|EU-?\d+|CO\d|NO\d|CH\d"
                           r"|[A-Z]-?\d+")
# "promo code SPRING", "discount code x7k2": the code is in capitals or has a digit ("the code mentioned" is no code).
_PROMO = re.compile(r"\b(?i:promo(?:tional)?|discount|coupon|voucher|referral|gift|bonus) ?(?i:code)\s*:?\s*[\"'“]?"
                    r"([A-Z0-9][A-Z0-9_-]{2,}\b|[A-Za-z_-]*\d[\w-]*)")
_NAME_WORDS = 6  # the longest name considered, in words; longer runs of capitals are cut into names this long
_CONNECTOR = {"of", "for", "and", "the", "de", "del", "la", "le", "des", "du", "von", "van", "der", "&", "in", "on"}
_QUOTED = re.compile(r"\"([^\"\n]{4,120})\"(?!\s*:)")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " " + " ".join(re.sub(r"[^\w@.:/-]+", " ", text.casefold()).split()) + " "


def _has(haystack: str, needle: str) -> bool:
    """Whether `needle` (a normalised phrase) occurs in `haystack` as whole words."""
    return re.search(rf"(?<![\w]){re.escape(needle.strip())}(?![\w])", haystack) is not None


def _compact(code: str) -> str:
    return re.sub(r"[-_ ]", "", code).casefold()


def _compact_codes(text: str) -> set[str]:
    return {_compact(c) for c in [*_CODE_ANY_CASE.findall(text), *_WORD_NUMBER.findall(text)]}


def _names(text: str) -> list[str]:
    """Capitalised names of two or more words ("Northwind Capital Partners", "Bank of Ruritania"), every span."""
    names: list[str] = []
    words = [m.group() for m in re.finditer(r"[\w'’.&-]+", text)]
    run: list[str] = []
    for word in [*words, ""]:
        if word and (word[0].isupper() or (run and word.casefold() in _CONNECTOR)):
            run.append(word.rstrip(".,"))
            continue
        for i in range(len(run)):
            for j in range(min(len(run), i + _NAME_WORDS), i + 1, -1):
                span = run[i:j]
                content = [w for w in span if w.casefold() not in _CONNECTOR]
                if len(content) >= 2 and span[0][0].isupper() and span[-1][0].isupper() \
                        and span[0].casefold() not in {"the", "a", "an"}:
                    names.append(" ".join(span))
        run = []
    return names


def _candidates(text: str) -> list[tuple[str, bool]]:
    """(string, looks like a code or address) for every distinctive string of a model-written text."""
    found = [(m.group(), True) for m in _URL.finditer(text)]
    found += [(m.group(), True) for m in _EMAIL.finditer(text)]
    found += [(m.group(), True) for m in _DOMAIN.finditer(text) if not any(m.group() in u for u, _ in found)]
    found += [(m.group(1), True) for m in _PROMO.finditer(text)]
    found += [(c, not _PUBLIC_CODES.fullmatch(c)) for c in _CODE.findall(text)]
    found += [(c, False) for c in [*_CODE_ANY_CASE.findall(text), *_WORD_NUMBER.findall(text)]
              if not _CODE.fullmatch(c)]
    found += [(n, False) for n in _names(text)]
    return list(dict.fromkeys(found))


def smuggled(texts: dict[str, str], source_text: str, flagged_text: str) -> dict[str, list[str]]:
    """For each model-written field that carries them, the strings it must not carry.

    A string is smuggled when it is distinctive (a code such as ABC-12 or SPRING20, a URL, an
    e-mail address, a domain, a promo code, a capitalised name of two or more words, or a phrase
    a flagged sentence puts in quotes) and occurs in the sources only inside flagged sentences;
    or when it looks like a code, URL, address or domain and occurs nowhere in the sources.
    Matching ignores case, and codes also ignore hyphens ("Tango 88" is "TANGO-88"). Fields
    without such strings are left out of the result.

    Args:
        texts: model-written text by field path ("title", "actors[0].name").
        source_text: the sources' text outside flagged sentences.
        flagged_text: the flagged sentences, joined.
    """
    clean, bad = _norm(source_text), _norm(flagged_text)
    clean_codes, bad_codes = _compact_codes(source_text), _compact_codes(flagged_text)
    quoted = [q for q in dict.fromkeys(_QUOTED.findall(flagged_text.translate(_QUOTES)))
              if not _has(clean, _norm(q))]
    result: dict[str, list[str]] = {}
    for path, text in texts.items():
        hits: list[str] = []
        for item, address_like in _candidates(text):
            key = _norm(item)
            is_code = bool(_CODE_ANY_CASE.fullmatch(item) or _WORD_NUMBER.fullmatch(item))
            compact = _compact(item)
            in_clean = _has(clean, key) or (is_code and compact in clean_codes)
            in_bad = _has(bad, key) or (is_code and compact in bad_codes)
            if (in_bad and not in_clean) or (address_like and not in_clean and not in_bad):
                hits.append(item)
        hits += [q for q in quoted if _has(_norm(text), _norm(q)) and q not in hits]
        kept = sorted(dict.fromkeys(h for h in hits if not any(h != other and h in other for other in hits)),
                      key=text.find)
        if kept:
            result[path] = kept
    return result
