"""What kind of answer a question wants, read from its form, and whether a sentence holds one.

"Which GPU model?" wants a name ("A100", "TITAN RTX"), "Where is the code?" a location (a URL,
a repository, a DOI), "What batch size?" a number next to the quantity asked. A sentence that
only shares the question's words ("training took 70 GPU-hours", "we release our code") holds
no such instance and answers nothing. Instances are recognised by their form, not by lists of
known names, so the check holds on papers nobody has looked at:

- a name is a coined token (letters with digits "ResNet-34", "K40", "code-davinci-002"; inner
  capitals "PyTorch"; an acronym "LSTM") or a capitalised word inside a sentence ("Caffe",
  "Darwin"), that the question does not itself use ("GPU" in "Which GPU?" names nothing) and
  that is not what most passages are about (topic_names: "HellaSwag" is no library); a
  hardware name stands by a word of the device asked ("NVIDIA", "GPU"), a software name in a
  sentence that says it is software ("implemented in", "package", "version");
- a machine may be described instead ("a standard laptop", "64 GB of RAM");
- a location is a URL, a DOI, an "owner/name" repository or an archive's name;
- a value is a number within a few words of the quantity asked, its modifier when it has one
  ("batches of 32" for a batch size, not "a dropout rate of 0.1" for a learning rate).

The question's form is read generally: "which X", "what X, Y and Z", "how many / how big / how
strong ... X", "where is ... available" (not "where did X come from"). A sentence that holds an
instance of a value, a machine, a location or a piece of software asked for (Expected.specific)
answers even when every word it shares with the question is the paper's topic.

Procedures ("How were the images prepared?") and other questions want no instance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from core import vocab
from core.text import STOPWORDS, stem, strip_cites

# The nouns by which a question asks for a named thing of a kind; the kind decides nothing
# but that a name is wanted (what counts as one is its form).
_KIND_NOUNS = {
    "hardware": "hardware gpu gpus cpu cpus tpu tpus graphics card cards accelerator "
                "accelerators machine machines cluster clusters computer computers processor "
                "processors equipment workstation workstations server servers",
    "software": "software framework frameworks library libraries package packages toolbox "
                "toolboxes toolkit toolkits tool tools language languages implementation "
                "codebase",
    "model": "architecture architectures backbone backbones network networks optimizer "
             "optimiser optimizers algorithm algorithms tokenizer tokeniser encoder",
    "dataset": "dataset datasets corpus corpora benchmark benchmarks database databases",
    "metric": "metric metrics measure measures score scores agreement",
    # what field and lab work is measured or recorded with
    "instrument": "instrument instruments camera cameras sensor sensors device devices "
                  "spectrometer spectrometers microscope microscopes scanner scanners recorder "
                  "recorders logger loggers detector detectors",
}
# Kind nouns that say only "a machine": after a more specific one they name nothing more ("GPU
# hardware" asks for a GPU, "camera equipment" for a camera).
_GENERIC_NOUNS = frozenset("hardware equipment machine machines".split())
KIND_OF = {w: kind for kind, nouns in _KIND_NOUNS.items() for w in nouns.split()}

# A question asks "which X" / "what X" / "what kind of X" / "X model" for a kind noun X close
# behind its question word.
_ASKS_NAME = re.compile(
    r"\b(?:which|what)\s+(?:(?:kind|type|sort|make|brand)s?\s+of\s+)?"
    # "what was the GPU", not "which year was the corpus collected"
    r"((?:(?:was|were|is|are)\s+)?(?:(?!(?:was|were|is|are|did|do|does|has|have|had)\b)"
    r"[\w-]+\s+){0,3}?)"
    r"(?P<noun>" + "|".join(sorted(KIND_OF, key=len, reverse=True)) + r")\b"
    r"(?!\s+(?:learning|translation|vision|reading)\b)"  # "machine learning" is no hardware
    r"|\b(?P<noun2>gpu|cpu|tpu)\s+(?:model|type)s?\b",
    re.IGNORECASE,
)
# A kind noun right after another is the head of the phrase: "network library", "GPU cluster".
_HEAD_NOUN = re.compile(
    r"\s+(?P<noun>" + "|".join(sorted(KIND_OF, key=len, reverse=True)) + r")\b", re.IGNORECASE)
# More kind nouns coordinated with the first: "what library, optimiser and machine", "which
# framework and GPUs": each is asked for.
_AND_NAME = re.compile(
    r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|/\s*)(?:the\s+|which\s+|what\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?P<noun>" + "|".join(sorted(KIND_OF, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# A question asks for a value: how many / how much / how long / what <quantity>.
_HOW_MUCH = re.compile(
    r"\bhow\s+(many|much|long|large|big|often|high|low|strong|fast|small|wide|deep|far|heavy|"
    r"old|frequently)\b((?:[\s,]+[\w'-]+){0,6})",
    re.IGNORECASE,
)
QUANTITY_NOUNS = frozenset(
    "size sizes rate rates decay length lengths epochs epoch seeds seed "
    "temperature threshold dropout warmup momentum number count percentage proportion ratio "
    "fraction share resolution dimension dimensions duration time folds version versions cutoff "
    "cut-off iterations value values intensity density concentration concentrations frequency "
    "depth height width area volume distance dose wavelength".split()
)
TIME_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "epoch epochs iteration iterations step steps gpu-hours gpu-days h s min ms".split()
)
_VERBS = frozenset("were was are is did do does had has have used trained run ran".split())
# What a metric question is answered by besides a name: a metric's own word, or a value.
METRIC_WORDS = frozenset(
    "accuracy precision recall perplexity error loss correlation coefficient kappa auc "
    "f1 f-score f-measure rmse mae mse r2 bleu rouge iou nmi ari likelihood".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "fifty hundred thousand million billion half third quarter dozen single double".split()
)

_URL = re.compile(
    r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|org|io|net|edu|gov|ai)/\S*"
    r"|\b10\.\d{4,9}/\S+|\bdoi\b|\b(?:github|gitlab|bitbucket|zenodo|figshare|dryad|osf|"
    r"huggingface|pypi|cran|bioconductor|codeocean|kaggle)\b"
    r"|\bsupporting information\b|\bsupplementary (?:material|information|data|files?)\b"
    r"|\b(?:up)?on (?:reasonable )?request\b"
    r"|(?<![\w/])[A-Za-z0-9][\w.-]+/[A-Za-z0-9][\w.-]*[A-Za-z0-9](?![\w/])",
    re.IGNORECASE,
)
# Where research code, data and models are kept, by sort: a code host, an archive (a DOI: see
# Expected.located).
# Another URL may be a tool's site ("MetaboAnalyst 3.0, www.metaboanalyst.ca"), and a GitHub
# link no data set ("the recently released MegatronLM (https://nv-adlr.github.io/...)").
_KEPT_AT = {
    "code": re.compile(r"\b(?:github|gitlab|bitbucket|zenodo|figshare|osf|codeocean|cran|pypi|"
                       r"bioconductor)\b", re.IGNORECASE),
    "data": re.compile(r"\b(?:zenodo|figshare|dryad|osf|pangaea|kaggle)\b", re.IGNORECASE),
    "models": re.compile(r"\b(?:github|huggingface|zenodo|figshare)\b", re.IGNORECASE),
}
# A sentence that gives where a copy is says it is there to be had: a tool's web site in
# "the analysis was performed using MetaboAnalyst 3.0 (www.metaboanalyst.ca)" is no copy of the
# authors' code or data.
_AVAILABLE = re.compile(
    r"\b(?:availab\w*|releas\w*|deposit\w*|host(?:s|ed)?|archiv\w*|download\w*|accessib\w*|"
    r"accessed|shared?|provided|obtain\w*|found|upload\w*|publish\w*|request|"
    r"repositor(?:y|ies)|supplement\w*|supporting|retriev\w*)\b", re.IGNORECASE)
# The article's own license and copyright: "This is an open access article distributed under
# the terms of the Creative Commons Attribution License, which permits unrestricted use ...
# provided the original author and source are credited" offers no code.
_ARTICLE = re.compile(r"\b(?:copyright|creative commons|open access article|distributed under "
                      r"the terms)\b", re.IGNORECASE)
_DOI = re.compile(r"\S*\b10\.\d{4,9}/\S+|\bdoi\b", re.IGNORECASE)
_OURS = re.compile(r"\b(?:our|we)\b", re.IGNORECASE)  # "our code is at https://lab.org/fish"
# A code host or repository named: what makes a bare "owner/name" a repository.
_CODE_HOST = re.compile(r"\b(?:github|gitlab|bitbucket|hugging ?face|repositor(?:y|ies)|repo)\b",
                        re.IGNORECASE)
# A sentence about software says so: a name is software when it is implemented, written, coded,
# a library, package, toolkit, a version ("SWAG" in "On the SWAG experiments" is no library).
_SOFTWARE = re.compile(
    r"\b(?:implement\w*|written|code|coded|librar(?:y|ies)|packages?|tool(?:kit|box)s?|"
    r"frameworks?|software|versions?|programming|programs?|programmes?|api|scripts?|python|"
    r"toolchain|codebase)\b|\bv\d+\.\d",
    re.IGNORECASE,
)
# What a sentence says of the software a thing is made with.
_IMPLEMENTED = re.compile(
    r"\b(?:implemented|implementation|written in|coded in|packages?|librar(?:y|ies)|toolkit|"
    r"toolbox|framework|api)\b", re.IGNORECASE)
# Capitalised words that start a clause or point inside the paper: not names.
_NOT_NAMES = frozenset(
    """table tables figure figures fig fig. section sections eq equation equations appendix
    supplementary supplement we our in on for the a an this these that to of and it its as
    all each both however moreover furthermore finally first second third then thus also
    january february march april may june july august september october november december
    i ii iii iv v vi vii viii ix x""".split()
)
# (Greek letters too: "the Adam β2 value")
_TOKEN = re.compile(r"[A-Za-z0-9\u0370-\u03ff][A-Za-z0-9\u0370-\u03ff+.\-]*"
                    r"[A-Za-z0-9\u0370-\u03ff+]|[A-Za-z0-9\u0370-\u03ff]")
# Digits that are not a value: years, citation marks, a heading's section number ("3.3
# Scoring"), and bracketed lists of numbers, citations or the range a value was searched in
# ("learning rate [1, 20]", "batch size {32, 64}"): not the value used
NOT_VALUE = re.compile(
    r"\b(?:Fig(?:ure)?s?|Tables?|Tab|Sections?|Sec|Eqs?|Equations?|Appendix|Chapter)\.?\s*"
    r"\(?[A-Z]?\d+(?:\.\d+)*\)?"  # "Figure 6", "Table 2", "Section 3.1" are no values
    r"|\(\d\)"  # nor the "(1)" and "(2)" of a list
    r"|\[\d+(?:\s*[,\u2013-]\s*\d+)*\]|(?<!\d)(?:19|20)\d\d(?!\d)"
    r"|^\s*\d+(?:\.\d+)*\s+(?=[A-Z])"
    r"|[\[{]\s*-?[\d.]+(?:e-?\d+)?(?:\s*[,;]\s*-?[\d.]+(?:e-?\d+)?)+\s*[\]}]")
_DIGIT = re.compile(r"\d")
# An agreement between raters is stated by its statistic: "kappa = 0.71", "agreed on 92%".
_AGREEMENT = re.compile(
    r"\b(?:agree\w*|kappa|\u03ba|krippendorff\w*|fleiss\w*|concordan\w*|inter-?rater|"
    r"inter-?annotator|icc)\b", re.IGNORECASE)


class Quantity(frozenset[str]):
    """The stems of a quantity asked ({batch, size}), and for a duration what it is the time of:
    "how long did it take to train" -> train. "20+ years" of a field's history does not say
    how long training took."""

    doing: frozenset[str]

    def __new__(cls, stems: Iterable[str] = (), doing: Iterable[str] = ()) -> Quantity:
        made = super().__new__(cls, stems)
        made.doing = frozenset(doing)
        return made


@dataclass(frozen=True)
class Expected:
    """The instances a question wants: names (of a kind), a location, values of quantities.
    An empty Expected (a procedure, a yes/no question) wants none."""

    names: tuple[str, ...] = ()  # the kind nouns asked ("gpu", "framework")
    location: bool = False
    values: tuple[Quantity, ...] = ()  # per value asked, the stems of its quantity
    asked: frozenset[str] = frozenset()  # the question's own words, lower-case
    topic: frozenset[str] = frozenset()  # names the evidence is about (topic_names): no answers
    when: bool = False  # a date: "over what period", "when were the data collected"

    @property
    def wants(self) -> bool:
        return bool(self.names or self.location or self.values or self.when)

    def held_by(self, sentence: str) -> bool:
        """The sentence holds an instance of (one of) the kinds asked."""
        if not self.wants:
            return True
        body = strip_cites(sentence)
        if self.location and self.located(body):
            return True
        if self.when and dated(body):
            return True
        # a metric is said by its own word or a value, not by any name: "we compare SSAtt
        # with seven CNN-related models" names models, no metric
        named = tuple(n for n in self.names if KIND_OF.get(n) != "metric")
        found = names_in(body, self.asked | self._not_answers(), named) if named else []
        if found and (not all(KIND_OF.get(n) == "software" for n in named)
                      or software_named(body, found)):
            return True
        if any(KIND_OF.get(n) == "model" for n in self.names) and model_phrase(body, self.asked):
            return True  # "a convolutional neural network", "a random forest classifier"
        if self._machine_asked() and machine_described(body):
            return True  # "a standard laptop", "a workstation with 64 GB of RAM"
        if "agreement" in self.names:  # between raters: its statistic and its value
            return bool(_AGREEMENT.search(body) and _DIGIT.search(NOT_VALUE.sub(" ", body)))
        if self._metric_asked() and (says_metric(body) or _DIGIT.search(NOT_VALUE.sub(" ", body))):
            return True  # "Perplexity is ...", "an F1 score of 0.937", "the NSE index"
        return self._gives_value(body)

    def specific(self, sentence: str) -> bool:
        """The sentence holds an instance that answers by itself, whatever words it shares with
        the question: a value next to the quantity asked, a hardware name next to a hardware
        word, a location next to the thing released ("the code is at github.com/...")."""
        body = strip_cites(sentence)
        if self._gives_value(body):
            return True
        if self._metric_asked() and says_metric(body) and "agreement" not in self.names:
            return True  # "measured with the F1 score", "the Nash-Sutcliffe efficiency (NSE)"
        if self.location and self.located(body) and vocab.RELEASED_THING.search(body):
            return True
        for kind in ("hardware", "instrument"):  # "NVIDIA K40", "a Q-Exactive spectrometer"
            devices = tuple(n for n in self.names if KIND_OF.get(n) == kind)
            if devices and names_in(body, self.asked | self.topic, devices):
                return True
        software = any(KIND_OF.get(n) == "software" for n in self.names)
        if software and _IMPLEMENTED.search(body) and names_in(body, self.asked | self.topic):
            return True  # "implemented with the Keras API", "the R package lme4"
        return self._machine_asked() and machine_described(body)

    def _gives_value(self, body: str) -> bool:
        """A value of a quantity asked, unless the text lists the values searched ("the
        parameter space: learning rate [1, 20]", "the following range of possible values") and
        the question does not ask about the search."""
        if _SEARCHED.search(body) and not _SEARCH_ASKED.intersection(self.asked):
            return False
        return any(value_of(body, quantity) for quantity in self.values)

    def located(self, body: str) -> bool:
        """The text gives where a copy is, of the sort of thing asked (where the code is is not
        answered by where the data are, nor by a tool's web site), or a place research code and
        data are kept (a DOI, GitHub, Zenodo)."""
        if not has_location(body):
            return False
        asked = vocab.released_sorts(" ".join(self.asked))
        said = vocab.released_sorts(body)
        offered = bool(_AVAILABLE.search(body) or _OURS.search(body)) and not _ARTICLE.search(body)
        # a DOI is a copy of what the text offers; by itself it is the paper's own ("PLoS ONE
        # 13(6): e0197919. https://doi.org/...") or a reference's, and beside "all relevant data
        # are within the paper" it is no copy of the code
        doi = offered and bool(_DOI.search(body)) and (not asked or not said or bool(asked & said))
        kept = doi or any(_KEPT_AT[sort].search(body) for sort in asked or _KEPT_AT)
        if not kept and not offered:
            return False  # "performed using MetaboAnalyst 3.0 (www.metaboanalyst.ca)"
        return not asked or bool(asked & said) or kept

    def _not_answers(self) -> frozenset[str]:
        """The topic's names answer no question for a tool or a machine; a paper's own model
        or dataset may well be the answer to "which model / dataset"."""
        if any(KIND_OF.get(n) in {"model", "dataset"} for n in self.names):
            return frozenset()
        return self.topic

    def _metric_asked(self) -> bool:
        return any(KIND_OF.get(n) == "metric" for n in self.names)

    def _machine_asked(self) -> bool:
        """It asks for hardware in general ("which hardware / computer"), not one device."""
        return any(KIND_OF.get(n) == "hardware" and _singular(n) not in _DEVICE_WORDS
                   for n in self.names)


# The words a metric is called by when its name is not known: "the Nash-Sutcliffe efficiency
# (NSE)", "Willmott's index of agreement", "the Dice score".
_METRIC_HEADS = frozenset(
    "score index coefficient efficiency error criterion statistic measure metric deviation "
    "divergence entropy agreement similarity distance purity bias".split())


def says_metric(text: str) -> bool:
    """The text names a metric: a metric's own word ("perplexity", "F1"), or a name within two
    words of a word metrics are called by ("the Nash-Sutcliffe efficiency (NSE)")."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    if METRIC_WORDS.intersection(words):
        return True
    names = {n.lower() for n in name_tokens(text)}
    return any(w in names and any(_singular(x) in _METRIC_HEADS for x in words[max(0, i - 2):i + 3])
               for i, w in enumerate(words))


def software_named(text: str, names: list[str]) -> bool:
    """One of the names is software: the vocabulary knows it ("keras"), or it stands within four
    words of a word that says so ("implemented using the Keras API", "the R package lme4"); not
    "AI" in a sentence that goes on, ten words later, about programming languages."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    cues = [i for i, w in enumerate(words) if _SOFTWARE.fullmatch(w) or w in {"in", "with"}
            and i + 1 < len(words) and words[i + 1] == "r"]
    for name in names:
        low = name.lower()
        if _known(low, software=True) or any(
                abs(i - j) <= 4 for i, w in enumerate(words) if w == low for j in cues):
            return True
    return False


def topic_names(texts: list[str]) -> frozenset[str]:
    """Names most of the passages use (lower-case): what the paper is about ("HellaSwag",
    "CodeNet"), not an answer to "which library?"."""
    counts = Counter(n.lower() for text in texts for n in set(name_tokens(strip_cites(text))))
    return frozenset(n for n, c in counts.items() if c >= 3 and c > len(texts) / 2)


def expected(question: str, examples: str = "") -> Expected:
    """The kinds of instance a question asks for, from its form. The words of `examples` (what
    the question lists after "e.g.") name nothing asked either: "GPUs" does not answer "Which
    hardware (e.g. GPUs)?"."""
    asked = frozenset(w.lower() for w in _TOKEN.findall(f"{question} {examples}"))
    names = []
    for m in _ASKS_NAME.finditer(question):
        noun, end = (m.group("noun") or m.group("noun2")).lower(), m.end()
        while head := _HEAD_NOUN.match(question, end):  # "neural network library": a library
            if head.group("noun").lower() not in _GENERIC_NOUNS:
                noun = head.group("noun").lower()
            end = head.end()
        named = [w for w in vocab.named_categories(question[m.start():end]) if w in KIND_OF]
        names.append(named[0] if named else noun)  # "optimisation algorithm": an optimizer
        while more := _AND_NAME.match(question, end):  # "what library, optimiser and machine"
            names.append(more.group("noun").lower())
            end = more.end()
    location = vocab.asks_where(question)
    values: list[Quantity] = []
    for m in _HOW_MUCH.finditer(question):
        values += _how_much(m.group(1).lower(), re.findall(r"[\w'-]+|,", m.group(2).lower()))
    words = [w.lower() for w in _TOKEN.findall(question)]
    clause = ""  # its question word: "How were the models validated, and what share of the
    # data was held out?" asks for a share; "How was the learning rate chosen?" for no rate
    for i, w in enumerate(words):
        if w in {"how", "what", "which"}:
            clause = "how" if w == "how" and words[i + 1:i + 2] not in (
                ["many"], ["much"], ["long"]) else "what"
        # "what batch size", "which learning rate"
        if clause != "how" and w in QUANTITY_NOUNS and w != "time" and not (
                i and words[i - 1] in vocab.SUBJECTS) and not _varied(words[max(0, i - 4):i]):
            before = words[i - 1] if i and words[i - 1] not in STOPWORDS | {
                "many", "much"} else ""
            # "the size of the training set" is given as a count of what it holds ("the
            # training set held 12,000 images"): a number next to the set's own words
            of = size_of(words[i + 1:]) if w in _OF_WHAT else []
            if w in {"value", "values"} and (not (before or of) or before in QUANTITY_NOUNS):
                continue  # "what values did the model achieve" (of what, the question says);
                # "what weight decay value" asks the weight decay
            values.append(Quantity(stem(x) for x in (before, w, *of) if x))
    if location:  # "Which data were released?" asks where, not which
        names = [n for n in names if KIND_OF.get(n) != "dataset"]
    other = vocab.in_other_sense(question)  # "what size of language model": no language asked
    names = [n for n in names if n not in other]
    return Expected(tuple(dict.fromkeys(names)), location, tuple(dict.fromkeys(values)), asked,
                    when=bool(_ASKS_DATE.search(question)))


# A question asks for a date: "over what period", "in which year(s)", "what range of publication
# years", "on what dates"; "when" of gathering data or of publishing ("when were the birds
# surveyed"), not "when was the learning rate decayed" (a point in training).
_ASKS_DATE = re.compile(
    r"\b(?:what|which)\s+(?:range\s+of\s+|span\s+of\s+)?(?:[\w-]+\s+)?(?:time\s+)?"
    r"(?:periods?|years?|dates?|months?|seasons?|span|time\s*frame|decades?)\b"
    r"|\bwhen\b(?:\s+[\w-]+){0,10}?\s+(?:collected|recorded|conducted|carried|sampled|surveyed|"
    r"published|gathered|undertaken|acquired|captured|photographed|installed|deployed|held|"
    r"measured|observed|interviewed)\b",
    re.IGNORECASE,
)
# A date: a month, or a year where a date stands ("in 2010", "from 1988 to 2018", "2008-2012"),
# not a count ("2048 tokens") nor an author-year citation ("Smith et al., 2019").
_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
           r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)")
_YEAR = r"(?:1[89]|20)\d\d"
_YEAR_OR_MONTH = re.compile(
    rf"\b{_MONTHS}\b|\b(?:in|from|to|between|since|during|until|till|through|and|of)\s+{_YEAR}\b"
    rf"|(?<![\d.]){_YEAR}\s*[-\u2013/]\s*(?:{_YEAR}|\d\d)\b"
    r"|\b(?:in|during)\s+(?:the\s+)?(?:spring|summer|autumn|fall|winter|(?:dry|wet|rainy)\s+season)s?\b")
_AUTHOR_YEAR = re.compile(
    rf"(?!{_MONTHS}\b)[A-Z][\w'-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'-]+)?,?\s+\(?"
    rf"{_YEAR}[a-z]?\)?")


def dated(text: str) -> bool:
    """The text gives a date: a year or a month ("in June 2010", "2008-2012"), not only an
    author-year citation."""
    return bool(_YEAR_OR_MONTH.search(_AUTHOR_YEAR.sub(" ", text)))


def _varied(before: list[str]) -> bool:
    """The quantity after these words is what an effect is of: "the impact of model size on
    accuracy" asks how accuracy changes, not for a size."""
    return any(w in _EFFECT and before[i + 1] == "of" for i, w in enumerate(before[:-1]))


_EFFECT = frozenset("effect effects impact impacts influence role importance sensitivity".split())

# Quantities given as the count or share of something: "the number of layers", "the size of
# the training set", "the percentage of images".
_OF_WHAT = frozenset(
    "size sizes number count percentage proportion fraction share amount version value".split())


def _how_much(how: str, rest: list[str]) -> list[Quantity]:
    """The quantities of "how <how> <rest>", as stems: "how many random seeds" -> seeds (the
    thing counted), "how big were the training batches" -> batches, "how many examples per
    batch" -> examples and batch, "how many images or records" -> images, and records, "how
    long did it take" -> units of time (and of what follows: "how long were the sequences")."""
    # "how long did it take": the time it took, not the epochs it ran ("how long were the
    # networks trained": either)
    took = bool(_TAKE.intersection(rest[:3]))
    while rest and (rest[0] in _VERBS or rest[0] in vocab.DETERMINERS):
        rest = rest[1:]  # "how big were the batches"
    items: list[list[str]] = [[]]  # "how many images, records or examples": any of them
    per = []
    for i, w in enumerate(rest):
        if w == "per" and items[-1] and i + 1 < len(rest):
            per = [rest[i + 1]]  # "how many examples per batch": both
            break
        if w in {"or", "and", ","} and items[-1]:
            items.append([])
            continue
        if w in STOPWORDS or w in _VERBS or w in _PLACES or w == "," or items[-1] and w.endswith(
                "ed"):
            break  # "how often were the traps checked"
        items[-1].append(w)
    # each item's head is its plural noun ("sequences went into"), else its last word:
    # "DistilBERT's training batches" -> batches
    heads = [next((w for w in reversed(item) if w.endswith("s") and "'" not in w), item[-1])
             for item in items if item]
    if how != "many":
        heads = heads[:1]
    found = [{stem(x) for w in [head, *per] for x in (w, _singular(w))} for head in heads]
    if how in {"long", "often", "frequently", "old"} or any(h in _TIME_HEADS for h in heads):
        # "how much GPU time": hours, days
        units = TIME_UNITS - _COUNTED_UNITS if took else TIME_UNITS
        found = [x | {stem(u) for u in units} for x in found or [set()]]
    doing = _doing(rest) if how == "long" or any(h in TIME_UNITS for h in heads) else ()
    return [Quantity(x, doing) for x in found]


_TAKE = frozenset("take takes took taking".split())
# Prepositions of place end what "how large" asks about: "how large a neighbourhood around
# each pixel".
_PLACES = frozenset("around within across along among inside near beside beyond per".split())
# Quantities given in units of time: "how much GPU time", "how much compute time".
_TIME_HEADS = frozenset("time times duration runtime run-time".split())
# Units a run is counted in rather than timed: "took 3 days", not "took 90 epochs".
_COUNTED_UNITS = frozenset("epoch epochs iteration iterations step steps".split())


# Verbs that say little by themselves: "how long did it take to run the experiments" is the
# time of the experiments.
_LIGHT_VERBS = frozenset("run perform do carry complete conduct process execute take".split())


def _doing(rest: list[str]) -> list[str]:
    """The roots of what a duration is of: the verb after "to" or in -ed / -ing ("to train",
    "were the networks trained", "did training take") and, for a light verb, its object
    ("to run inference")."""
    for i, w in enumerate(rest):
        if w in STOPWORDS or w == ",":
            continue
        if i and rest[i - 1] == "to" or w.endswith(("ed", "ing")) and len(w) > 5:
            root = re.sub(r"(?:ed|ing)$", "", w)
            root = root[:-1] if len(root) > 3 and root[-1] == root[-2] else root  # fitt-ed
            if root not in _LIGHT_VERBS:
                return [root]
            after = [x for x in rest[i + 1:] if x not in STOPWORDS and x not in vocab.DETERMINERS]
            return after[:1]
    return []


def size_of(rest: list[str]) -> list[str]:
    """The words of what a size is asked of: "of the training set" -> training, set."""
    if rest[:1] != ["of"]:
        return []
    out: list[str] = []
    for w in rest[1:]:
        if w in {"the", "a", "an", "each", "every"} and not out:
            continue
        if w in STOPWORDS or w in _VERBS or len(out) == 3:
            break
        out.append(w)
    return out


# A text that lists the values tried rather than the one used, and the question words that
# ask about that search.
_SEARCHED = re.compile(
    r"\b(?:range of (?:possible |candidate )?values|(?:search|parameter|hyper-?parameter) space|"
    r"grid[- ]search(?:ed)? (?:over|in|on|of)|searched (?:over|in|from|among)|sweep(?:s|ed)? over|"
    r"candidate values)\b", re.IGNORECASE)
_SEARCH_ASKED = frozenset(
    "search searched range ranges grid space tuned tuning chosen choose selected sweep "
    "tried candidate candidates explored".split())
# The heads of a model described rather than named ("a convolutional neural network", "a
# random forest classifier", "boosted regression trees", "a support vector machine")
_MODEL_HEADS = frozenset(
    "network forest classifier regression regressor machine tree perceptron transformer "
    "autoencoder ensemble".split())


def model_phrase(text: str, asked: frozenset[str]) -> bool:
    """A model described by a head noun and a modifier the question does not itself use: one
    of the two words before the head, of four letters or more, not a participle ("the
    proposed network", "the trained network" describe nothing)."""
    own = {_singular(w) for w in asked}
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)]
    for i, w in enumerate(words):
        if _singular(w) not in _MODEL_HEADS:
            continue
        for m in words[max(0, i - 2):i]:
            if len(m) >= 4 and m not in STOPWORDS and _singular(m) not in own \
                    and m not in _NOT_NAMES and not m.endswith("ed"):
                return True
    return False


def _singular(word: str) -> str:
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]  # batches, boxes
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def has_location(text: str) -> bool:
    """A URL, DOI, repository ("owner/name") or archive named in the text."""
    for m in _URL.finditer(text):
        found = m.group(0)
        if "/" in found and not found.lower().startswith(("http", "www", "10.")) and "." not in \
                found.split("/")[0] and (_DIGIT.fullmatch(found.replace("/", "")) or len(
                    found) < 5 or found.count("/") > 2 or found.lower() in {"and/or", "i/o"}):
            continue  # "and/or", "1/2", "train/test" are not repositories
        if re.fullmatch(r"[a-z]+/[a-z]+", found):
            continue  # "train/test", "input/output": lower-case words, no repository
        if "/" in found and "." not in found.split("/")[0] and not found.lower().startswith(
                ("http", "www", "10.")) and not _CODE_HOST.search(text):
            continue  # "ReLU/PReLU models": a bare owner/name is a repository on a code host
        return True
    return False


# A package is named by any word after "the R package": "vegan", "lme4".
_PACKAGE_WORDS = frozenset("package packages library libraries module modules toolbox".split())
_LANGUAGE_NAMES = frozenset("R Python MATLAB Matlab Julia Perl Stata SAS".split())


def name_tokens(text: str) -> list[str]:
    """The tokens of a text that look like names by their form (see the module docstring)."""
    found = []
    tokens = list(_TOKEN.finditer(text))
    for i, m in enumerate(tokens):
        t = m.group(0).rstrip(".")
        low = t.lower()
        if low in _NOT_NAMES or low in STOPWORDS or len(t) < 2 and not t.isupper():
            continue
        letters = sum(c.isalpha() for c in t)
        digits = sum(c.isdigit() for c in t)
        start = i == 0 or text[: m.start()].rstrip()[-1:] in ".:;!?("
        if letters and digits:  # "A100", "ResNet-34", "T5-3B"; not "5x", "10ms", "3D", "1e-4"
            if re.fullmatch(r"\d+(?:\.\d+)?(?:x|k|m|b|ms|s|h|d|gb|mb|tb|%|th|st|nd|rd|e-?\d+)",
                            low) or re.fullmatch(r"\d+-[a-z]+", low):
                continue
            found.append(t)
        elif letters and any(c.isupper() for c in t[1:]) or t[:1].isupper() and not start:  # "PyTorch", "LSTM", "TITAN"
            found.append(t)
        elif t.isupper() and len(t) == 1 and not start and i and tokens[i - 1].group(0).lower() \
                in {"in", "with", "using", "package", "language"}:
            found.append(t)  # "written in R"
        elif i > 1 and tokens[i - 1].group(0).lower() in _PACKAGE_WORDS and tokens[i - 2].group(
                0) in _LANGUAGE_NAMES and low.isalpha() and not low.endswith(("ed", "ing")):
            found.append(t)  # "the R package vegan", "the Python library shapely"
    return found


def names_in(text: str, asked: frozenset[str], kinds: tuple[str, ...] = ()) -> list[str]:
    """The names of a text that the question does not itself use ("GPU" for "Which GPU?",
    "GPU-hours" too). Hardware names stand next to a hardware word ("TITAN X GPU", "NVIDIA
    K40"): a dataset's name ("CIFAR-10") in a sentence about GPU-hours names no GPU."""
    own = {_singular(w) for w in asked}
    words = [w.lower() for w in _TOKEN.findall(text)]
    found = []
    for t in name_tokens(text) + [w for w in words if _known(w)]:
        parts = [_singular(p.lower()) for p in re.split(r"[-/]", t) if p]
        if _singular(t.lower()) in own or not re.search(r"\d", t) and any(p in own for p in parts):
            continue
        if kinds and all(KIND_OF.get(k) == "hardware" for k in kinds) and (
                t.lower() in _MAKERS or not _near_hardware(t, words, kinds)):
            continue  # "We thank NVIDIA for the GPU donation" names no GPU
        if kinds and all(KIND_OF.get(k) == "instrument" for k in kinds) and not any(
                KIND_OF.get(_singular(w)) == "instrument" or KIND_OF.get(w) == "instrument"
                for w in around(t, words, 3)):
            continue  # "a Thermo Q-Exactive mass spectrometer", "camera (EOS 5D MK2, Canon)"
        if kinds and all(KIND_OF.get(k) == "software" for k in kinds) and _known(
                t.lower()) and not _known(t.lower(), software=True):
            continue  # "V100", "Adam" are no software
        found.append(t)
    return found


# Who makes a device is not which device it is: "NVIDIA", "Google" name no GPU or TPU model
_MAKERS = frozenset("nvidia intel amd google apple ibm arm qualcomm microsoft amazon aws huawei "
                    "graphcore cerebras dell hp lenovo".split())
_HARDWARE = frozenset("gpu gpus cpu cpus tpu tpus card cards graphics nvidia intel amd "
                      "processor processors core cores tesla geforce xeon apple".split())
# The words next to a device of one sort: "Which GPU?" is not answered by "a Xeon CPU".
_DEVICE_WORDS = {
    "gpu": frozenset("gpu graphics card nvidia geforce tesla quadro radeon amd".split()),
    "tpu": frozenset("tpu cloud google".split()),
    "cpu": frozenset("cpu processor core intel amd xeon ryzen epyc apple".split()),
}


def around(name: str, words: list[str], n: int) -> list[str]:
    """The words within n of where a name stands in a text's (lower-case) words; a name of
    several tokens ("EOS 5D MK2") stands where its first one does."""
    first = re.split(r"\s+", name.lower())[0]
    spots = [i for i, w in enumerate(words) if w == first]
    return [words[j] for i in spots for j in range(max(0, i - n), min(len(words), i + n + 1))
            if j != i]


def _near_hardware(name: str, words: list[str], kinds: tuple[str, ...] = ()) -> bool:
    """The name stands within three words of a hardware word; of the device asked, when the
    question asks for GPUs, TPUs or CPUs only. Beside a maker's name alone it is a model
    number ("NVIDIA K40"), not the name of a lab ("the NVIDIA Artificial Intelligence Lab")."""
    devices = {_singular(k) for k in kinds}
    near = _HARDWARE if not devices <= set(_DEVICE_WORDS) else frozenset().union(
        *(_DEVICE_WORDS[d] for d in devices))
    low = name.lower()
    spots = [i for i, w in enumerate(words) if w == low]
    # "K40", "RTX 3090": a digit in the name or the word after it
    numbered = any(_DIGIT.search(w) for i in spots for w in [name, *words[i + 1:i + 2]])
    return low in near and low not in _MAKERS or any(
        (words[j] in near or _singular(words[j]) in near) and (numbered or words[j] not in _MAKERS)
        for i in spots for j in range(max(0, i - 3), min(len(words), i + 4)) if j != i)


# A machine described rather than named: "a standard laptop", "a desktop computer", "a
# computing cluster", or by its specification ("64 GB of RAM", "2.4 GHz", "16 cores").
_MACHINE = re.compile(
    r"\b(?:laptops?|desktops?|workstations?|servers?|supercomputers?|notebook computers?|"
    r"(?:computing|compute|hpc|computer) (?:clusters?|nodes?|facilit(?:y|ies)|resources|"
    r"cent(?:er|re)s?)|hpc|testbeds?|high[- ]performance computing)\b"
    r"|\b\d+(?:\.\d+)?\s?(?:gb|gib|tb|mb)\b(?:\s+(?:of\s+)?(?:ram|memory))?"
    r"|\b\d+(?:\.\d+)?\s?ghz\b|\b\d+[- ](?:core|thread)s?\b",
    re.IGNORECASE,
)


def machine_described(text: str) -> bool:
    return bool(_MACHINE.search(text))


def names_device(words: frozenset[str]) -> bool:
    """The (lower-case) words name one sort of device: a GPU, a CPU, a TPU."""
    return any(_singular(w) in _DEVICE_WORDS for w in words)


def _known(word: str, *, software: bool = False) -> bool:
    """A lower-case word (or hyphen part) the vocabulary knows as an instance: "scikit-learn",
    "keras"; of software (a framework, a language) only, with `software`."""
    return any(not software or c.words[0] in {"framework", "software", "language"}
               for p in re.split(r"[-/]", word) if p for c in vocab.categories_of(p))


# Nouns that say what a number is of only with their modifier: "rate" is any rate, "learning
# rate" one. "Decay" is not one of them: weight decay needs both words ("random weights
# initialization -3.6" is no weight decay, nor a learning rate's decay).
_HEADS = frozenset(
    stem(w) for w in
    "size rate number count value amount length version threshold cutoff cut-off "
    "percentage proportion fraction share ratio".split())
# A share is given as a percentage: "20% of the data" is the share of the data held out.
_SHARES = frozenset(stem(w) for w in "percentage proportion fraction share".split())
_VERSION = re.compile(r"\bv(?:ersion)?\s?\d+(?:\.\d+)*|\b\d+\.\d+\.\d+\b", re.IGNORECASE)
_UNITS = frozenset(stem(u) for u in TIME_UNITS)
# A resolution or dimension is given as width by height: "224 × 224", "11x11 pixels".
_EXTENTS = frozenset(stem(w) for w in "resolution resolutions dimension dimensions".split())
_DIMENSIONS = re.compile(r"\b\d+\s*[\u00d7xX*]\s*\d+\b")
# words and numbers: "L2" is a word, "1e-4", "2,048" and "10-5" (10 to the -5) numbers
_VALUE_WORD = re.compile(
    r"[A-Za-z\u0370-\u03ff][A-Za-z0-9\u0370-\u03ff]*(?:-[A-Za-z0-9]+)*|10-\d+\b"
    r"|\d+(?:[.,]\d+)*(?:e-?\d+)?%?")
_NUMBERISH = re.compile(r"\d")
_RATES = frozenset(stem(w) for w in "rate decay dropout momentum".split())
# units only training is counted in: "90 epochs" says how long a network was trained
_TRAINING_UNITS = ("epochs", "epoch", "iterations", "gpu-hours", "gpu-days")
_RATE_VALUE = re.compile(r"\d*\.\d+|\d+(?:\.\d+)?(?:e-?\d+|%)|10-\d+|0|1")


def value_of(text: str, quantity: frozenset[str]) -> bool:
    """A number within four words of the quantity's words, its modifiers when it has them (two
    of them at least): "a batch size of 32", "batches of 32", "90 epochs", "5-fold", "three
    minutes", "the training set held 12,000 images"; not "a dropout rate of 0.1" for a learning
    rate, nor "the test set held 3,000" for the training set."""
    text = text.replace("\u2212", "-")  # "10\u22125": a rate
    words = [w.lower() for w in _VALUE_WORD.findall(NOT_VALUE.sub(" ", text))]
    # a rate is a fraction ("0.1", "1e-4", "10%", "10-5"), not a layer's size ("256x512")
    is_value = _RATE_VALUE.fullmatch if quantity & _RATES else _NUMBERISH.match
    numbers = [i for i, w in enumerate(words) if is_value(w) or w in _NUMBER_WORDS]
    near = {i for j in numbers for i in range(j - 4, j + 5)}
    stems = [{stem(w), stem(_singular(w))} | (_SHARES if w.endswith("%") else set())
             if i in near else set() for i, w in enumerate(words)]
    # the units of "how long" (all of them); "step" of "step size" is a modifier
    units = quantity & _UNITS if len(quantity & _UNITS) > 3 else frozenset()
    doing = quantity.doing if isinstance(quantity, Quantity) else frozenset()
    if doing and not any(w.startswith(d) for w in words for d in doing) and not any(
            stem(u) in s for u in _TRAINING_UNITS if stem(u) in quantity for s in stems):
        return False  # "studied for 20+ years" is no time of training
    if units and any(units & s for s in stems):
        return True  # "how long": three days, 90 epochs
    if quantity & _EXTENTS and _DIMENSIONS.search(text):
        return True  # a resolution given as "224 × 224" pixels
    own = quantity - _HEADS - units or quantity - units
    if own == {stem("version")} and _VERSION.search(text):
        return True  # "which versions": "v0.5.3", "3.6.1"; of R: a number by "R"
    groups: list[list[str]] = []  # a word and its plural are one word: batch, batche
    for w in sorted(own, key=len):
        if not any(w.startswith(g[0]) for g in groups):
            groups.append([w])
        else:
            next(g for g in groups if w.startswith(g[0])).append(w)
    held = sum(any(set(g) & s for s in stems) for g in groups)
    return bool(groups) and held >= min(2, len(groups))
