"""Answers that hold on papers nobody tuned for (issue 21), on generated papers: the kind of
answer a question's form asks for, facts kept whole across line and page breaks, one named
paper as the one source, and Extract cells that agree with their own quotes."""

from __future__ import annotations

from pathlib import Path

from core import AnswerDone
from core.answer import Grounded
from core.answer.focus import Focus
from core.answer.kind import expected, has_location, names_in
from core.extract import cell_text
from core.pdfgen import PdfBuilder, write_paper
from core.types import Citation, Evidence, Sentence

_INTRO = (
    "Monitoring freshwater fish communities is essential for conservation planning, and "
    "automated classification of underwater imagery promises to reduce the effort of experts."
)


def _paper(path: Path, title: str, methods: list[str]) -> Path:
    return write_paper(path, title=title, authors=["A. Author"], sections=[
        ("Abstract", [_INTRO]), ("1 Introduction", [_INTRO]), ("2 Methods", methods)])


def _lines(path: Path, pages: list[list[str]]) -> Path:
    """A paper laid out line by line as given, one list of lines per page: where a line or a
    page ends is the test's to choose."""
    pdf = PdfBuilder()
    for lines in pages:
        pdf.add_page()
        for i, line in enumerate(lines):
            pdf.text(72, 720 - 14 * i, line, size=10, font="Times-Roman")
    return pdf.save(path)


def _ask(lib, question: str, **kw):
    events = list(lib.ask(question, **kw))
    assert isinstance(events[-1], AnswerDone)
    return events[-1].answer


def _only(lib) -> list[str]:
    return [p.doc_id for p in lib.papers()]


# ---------------------------------------------------------------- the kind of answer
def test_question_forms_ask_for_names_locations_and_values():
    gpu = expected("Which GPU model was the classifier trained on?")
    assert gpu.names == ("gpu",) and not gpu.values
    assert expected("Where is the code available?").location
    assert expected("Can I get the analysis code somewhere?").location
    batch = expected("What batch size was used?")
    assert batch.values and not batch.names
    assert not expected("How were the images prepared before training?").wants  # a procedure
    # what a sentence holds, by form
    assert names_in("trained on two NVIDIA Tesla K40 GPUs", gpu.asked, gpu.names)
    assert not names_in("Training took 70 GPU-hours on CIFAR-10.", gpu.asked, gpu.names)
    assert has_location("The code is at https://github.com/lab/fish.")
    assert not has_location("We release our code and models to the community.")
    assert batch.held_by("We used a batch size of 64 throughout.")
    assert not batch.held_by("The batch size matters for small samples.")


def test_a_model_described_in_words_and_a_size_given_as_a_count_are_answers():
    # ecology papers often describe the model rather than name it, and give a set's size as
    # the count of what it holds
    algorithm = expected("Which algorithm was used to classify the images?")
    assert algorithm.held_by("We used a random forest classifier with 500 trees.")
    assert expected("Which architecture was used?").held_by(
        "The classifier is a convolutional neural network with three convolutional layers.")
    assert not algorithm.held_by("Our proposed classifier outperforms the baselines.")
    assert not expected("Which neural network architecture was used?").held_by(
        "We trained the neural network for 30 epochs.")
    # "machine learning" asks for no machine: the hardware check is not applied
    assert expected("Which machine learning method was used?").names == ()
    assert expected("Which machine was the model trained on?").names == ("machine",)
    size = expected("What was the size of the training set?")
    assert size.held_by("The training set contained 12,000 images.")
    assert not size.held_by("We thank the reviewers for comments on the training procedure.")
    focus = Focus.of("What was the size of the training set?", [])
    assert focus.gives("The training set contained 12,000 images.")
    assert not focus.gives("The test set contained 3,000 images.")
    assert not Focus.of("What batch size was used?", []).gives(
        "The training set contained 12,000 images.")


def test_questions_in_other_words_ask_for_the_same_kinds():
    # "how <adjective>" asks for a value of what follows the verb
    batches = expected("For the final model, how big were the batches?")
    assert batches.held_by("Batches of 32 images were drawn at random.")
    assert not batches.held_by("Batches were drawn at random from the training images.")
    penalty = expected("How strong was the L2 penalty?")
    assert penalty.values and penalty.held_by("We used an L2 penalty of 1e-4.")
    # the counted thing is the plural noun, not the verb after it
    counted = expected("How many images went into each training batch?")
    assert counted.held_by("Each batch held 16 images.")
    # several kind nouns in one list are each asked for
    assert expected("What library, optimiser and machine were used?").names == (
        "library", "optimiser", "machine")
    assert "computers" in expected("Which computers ran the analysis?").names
    assert expected("Which neural network library trained the model?").names == ("library",)
    # where a copy can be fetched is a location; where something came from is not
    assert expected("Is the study's data deposited somewhere, and where?").location
    assert not expected("What data was used, and where did its labels come from?").location
    assert not expected("Where were the camera-trap data collected?").location
    assert not expected("Where did the study obtain its reflectance data?").location
    assert expected("Where can the reflectance data be obtained?").location
    # a learning rate is not any rate next to a number
    rate = expected("Which learning rate was used?")
    assert not rate.held_by("Dropout was applied at a rate of 0.5.")
    assert rate.held_by("The learning rate was 0.001.")


def test_software_versions_counts_per_batch_and_optimisers_in_other_words():
    library = expected("Which deep learning library was used?")
    assert library.held_by("The network was implemented in Chainer 7.")
    assert not library.held_by("On the SWAG experiments, we use the settings of Devlin.")
    version = expected("What R version was used?")
    assert version.held_by("Analyses were run in R 4.0.3 with the package lme4.")
    assert not version.held_by("We provide an R package for the analyses.")
    per_batch = expected("How many examples per batch were used?")
    assert not per_batch.held_by("Half the tasks have fewer than 1,000 examples.")
    assert per_batch.held_by("Each batch held 32 examples.")
    assert expected("What optimisation algorithm was used?").names == ("optimizer",)
    # another work's tool, cited, is not this paper's: it must share the question's words
    assert not Focus.of("Which neural network library trained the model?", []).answered_by(
        "One of the most popular methods is codeML from the PAML software package (Yang, 2007).")
    optimiser = Focus.of("Which optimisation method trained the network?", [])
    assert optimiser.gives("The network was trained with SGD and momentum.")
    assert not optimiser.gives("The network was trained on labels from Wikipedia.")


def test_a_category_asked_in_other_words_is_searched_for():
    from core.retrieve import instance_query

    assert '"github"' in instance_query("Is the study's code deposited somewhere?")
    assert '"adam"' in instance_query("Which optimisation method trained the network?")
    assert instance_query("How were the images cleaned?") == "" or '"github"' not in \
        instance_query("How were the images cleaned?")


def test_a_category_word_in_another_sense_asks_for_no_instance():
    from core.retrieve import instance_query

    passages = [
        "We show that commonsense inference still proves difficult for state-of-the-art models.",
        "The benchmark retains the two hardest tasks and adds coreference resolution.",
        "Human annotators agree on 95% of the items.",
    ]
    evidence = [Evidence(n, "d1", "Bench", Path("/b.pdf"), n, n, "body", text, 1.0)
                for n, text in enumerate(passages, start=1)]
    # a modifier of another noun ("natural language processing", "language model") or a verb
    for question in ("What challenges do the tasks address in natural language processing?",
                     "What does the masked language model objective reveal about inference?",
                     "How do they compute the agreement of the annotators?"):
        focus = Focus.of(question, evidence)
        assert not focus.instances, question
        assert not {"python", "gpu"} & set(instance_query(question).replace('"', "").split())
    assert Focus.of("What challenges do the tasks address in natural language processing?",
                    evidence).answered_by(passages[1])
    # the category itself, or a noun it still names: asked for
    for question, instance in (("Which language is the code written in?", "python"),
                               ("What programming languages were used?", "python"),
                               ("Which GPU model was used?", "v100"),
                               ("What computing equipment trained the models?", "gpu"),
                               ("What software package fitted the models?", "keras")):
        assert instance in Focus.of(question, evidence).instances, question
    assert not Focus.of("Which language is the code written in?", evidence).answered_by(
        passages[1])


def test_each_kind_a_question_lists_is_found_in_its_own_sentence():
    from core.answer.finding import finding

    evidence = _passages(
        "Training is performed on a single V100 GPU, using Adam with a learning rate of 1e-3.",
        "All networks are implemented using the Keras API of TensorFlow.",
        "The MLP classifier reads a bag of tokens.",
        "Results are in Table 3 for the classifier.",
    )
    question = "For the bag-of-tokens MLP classifier, what library, optimiser and machine were used?"
    assert [n for n, _ in finding(question, evidence)] == [1, 2]
    # the GPU sentence names no library: "V100" and "Adam" are not software
    assert not expected("Which library was used?").held_by(evidence[0].text)


def test_a_question_the_paper_asks_answers_nothing():
    from core.answer.focus import ranked_sentences

    evidence = _passages(
        "Question: Does the model really need 1,000,000 training steps?",
        "The detector was evaluated on 12 rivers.",
        "Images were resized before training.",
    )
    assert ranked_sentences("How many training steps were used?", evidence, strict=True) == []


def test_tempting_neighbours_of_a_value_or_a_location_are_not_answers():
    # a rate is a fraction, not the size of a layer in a figure
    dropout = expected("What dropout rate was used in the CNN?")
    assert not dropout.held_by("Dense layer 256x512 with ReLU Dropout layer Dense layer 1024x1000")
    assert dropout.held_by("We apply dropout of 0.5 after each dense layer.")
    assert expected("Which learning rate was used?").held_by(
        "We use Adam with an initial learning rate of 10\u22125.")
    # the version of R, not of another tool
    r_version = expected("Which version of R was used for the analysis?")
    assert not r_version.held_by("Files were converted using ProteoWizard (Version 2).")
    assert r_version.held_by("All analyses were run in R 4.0.3.")
    # where the code is, not where the data are
    code = expected("Where can the analysis code be downloaded?")
    assert not code.held_by("All relevant data are within the paper and its Supporting Information.")
    assert code.held_by("The R scripts are provided as Supporting Information.")
    assert code.held_by("See https://github.com/lab/fish-counts.")
    assert code.held_by("Our analysis code is at https://lab.org/fish.")
    assert not code.held_by("Pathways were found with MetaboAnalyst 3.0 (www.metaboanalyst.ca).")
    assert not code.held_by("PLoS ONE 13(6): e0197919. https://doi.org/10.1371/journal.pone.01")
    assert not code.held_by(
        "PLoS ONE 13(6): e0197919. https://doi.org/10.1371/journal.pone.01 Copyright: 2018. This "
        "is an open access article, provided the original author and source are credited.")
    assert code.held_by("The code is archived at Zenodo (doi:10.5281/zenodo.123).")
    # "owner/name" is a repository on a code host, not any pair of names
    assert not code.held_by("Both ReLU/PReLU models are trained for the same number of epochs.")
    assert code.held_by("The scripts are on GitHub as lab/fish-counts.")
    # weight decay needs both words; data are not where another project's code is
    decay = expected("What dropout rate and weight decay were used?")
    assert not decay.held_by("Triple loss + random weights initialization -3.69 -0.31")
    assert decay.held_by("We use Adam with an L2 weight decay of 0.01.")
    data = expected("Where can the training data be downloaded?")
    assert not data.held_by("See the recently released MegatronLM (https://nv-adlr.github.io/M).")
    assert data.held_by("The images are archived at Dryad (doi:10.5061/dryad.x1).")
    # "which augmentation" is answered by a sentence that says one, not by its topic
    augmentation = Focus.of("Which data augmentation was applied to the images?", [])
    assert not augmentation.answered_by("Small samples of images need additional effort.")
    assert augmentation.answered_by("Images were augmented with random flips and crops.")
    # the verb in another sense: augmenting a tool chain is no data augmentation
    assert not augmentation.answered_by("We augment the tool chain with a graph generator.")


def test_a_value_is_of_what_the_question_asks():
    # a duration is the time of what was asked: of training, not of a field's history
    took = expected("How long did it take to train each language model?")
    assert not took.held_by("Language modelling has been studied for 20+ years.")
    assert took.held_by("Each model was trained for 3 days on one GPU.")
    assert took.held_by("Training took 40 GPU-hours per model.")
    # the time it took, not the epochs it ran; "how long were they trained" takes either
    assert not took.held_by("Each model took 90 epochs to converge.")
    assert expected("How long were the networks trained?").held_by("We train for 90 epochs.")
    assert expected("How many hours did training take?").held_by("Training took 12 hours.")
    assert expected("How long did it take to run inference?").held_by(
        "Inference took 3 s per image.")
    # the range a value was searched in is not the value used
    final = expected("What learning rate did the final configuration use?")
    assert not final.held_by("The search space was: learning rate [0.05, 1], batch size [32, 256].")
    assert final.held_by("The final learning rate was 0.05.")
    assert not final.held_by(
        "We found the following range of possible values to work well: learning rate 5e-5.")
    # a share asked in a second clause, given as a percentage
    held_out = expected("How were the models validated, and what share of the data was held out?")
    assert held_out.values and held_out.held_by("We withheld 20% of the data for validation.")
    assert not expected("How was the learning rate chosen?").values  # a procedure
    # what an effect is of is varied, not asked for: "the impact of model size on accuracy"
    assert not expected("Discuss the impact of model size on accuracy across the tasks.").values
    assert not expected("What is the effect of batch size on training stability?").values
    assert expected("What batch size was used, and what was the effect of dropout?").values
    # a metric is said as one, not by any name
    metrics = expected("Which evaluation metrics were used to compare the models?")
    assert not metrics.held_by("We compare SSAtt with seven state-of-the-art CNN-related models.")
    assert metrics.held_by("Models were compared by the Nash-Sutcliffe efficiency (NSE).")
    # an agreement between raters is a statistic: a value or a metric's word states it
    agreement = expected("What inter-annotator agreement was reported for the labels?")
    assert not agreement.held_by("Here, we conduct a human evaluation of our pipeline.")
    assert agreement.held_by("Inter-annotator agreement was high (Cohen's kappa = 0.81).")
    assert agreement.held_by("The two annotators agreed on 92% of the labels.")
    # and answers by itself, in words the question does not use
    judged = Focus.of("Which metrics were used to evaluate the model?", [])
    assert judged.answered_by("Model quality was measured with the F1 score and the AUC.")


def test_a_date_a_software_by_its_form_and_the_noun_a_question_word_asks():
    # a date asked by its form: a year where a date stands, a month, a season
    period = expected("Over what range of years did the literature search extend?")
    assert period.when and not period.held_by("Only English language publications were included.")
    assert period.held_by("Articles published 2000-2010 were searched.")
    assert not period.held_by("We used 2048 tokens, as in Smith et al., 2019.")
    collected = expected("When was the field data for this analysis collected?")
    assert collected.held_by("Data collection was carried out in June 2010.")
    assert collected.held_by("Traps were checked weekly during the dry season.")
    assert not expected("When was the learning rate decayed?").when  # a point in training
    # "which year was the corpus collected" asks a year, not a corpus
    year = expected("In which year was the corpus collected?")
    assert year.when and not year.names
    assert expected("What was the GPU used for training?").names == ("gpu",)
    # software named by its form, beside a word that says it is software; "English language"
    # is no programming language
    software = Focus.of("What software was used to analyse the survey data?", [])
    assert software.parts("Data were analysed with Epi-Info Statistical Programme (CDC).")
    assert software.parts("Analyses were run in R with the package lme4.")
    assert not software.parts("Only English language publications were included.")
    # by its form only in a sentence about what the question says it did
    trained = Focus.of("Which software was used to train the neural network?", [])
    assert not trained.parts("Metabolites were correlated with yield in the R software package.")
    assert trained.parts("The neural network was trained in R with the package nnet.")
    # a framework asked for is one the vocabulary knows: a language is none
    assert not Focus.of("Which deep learning framework was used?", []).parts(
        "The functions are written in Python 2.7 for a UNIX command line.")
    assert not expected("Which tool was used to appraise the studies?").held_by(
        "Only English language publications were included.")
    # a kind noun that modifies another asks for no instance of its kind
    assert "language" not in expected("What size of language model was trained?").names
    assert expected("Which language was the code written in?").names == ("language",)


def test_a_gpu_question_wants_a_gpu_and_the_paper_topic_is_no_answer():
    gpu = expected("Which GPU was used?")
    assert not gpu.held_by("Models were trained on an Intel Xeon E5 CPU with 64 GB of memory.")
    assert gpu.held_by("Models were trained on an NVIDIA Quadro P5000 card.")
    assert expected("Which hardware was used?").held_by("We ran it on an Intel Xeon E5 CPU.")
    # a machine described rather than named answers a question about hardware in general
    hardware = expected("On what hardware were the models trained?")
    assert hardware.held_by("All models were trained on a standard laptop.")
    assert hardware.held_by("Training took two days on a workstation with 64 GB of RAM.")
    assert not hardware.held_by("The models were trained for two days.")
    assert not gpu.held_by("All models were trained on a standard laptop.")
    # who makes a device is not which device it is (a funder, a lab, a donation)
    model = expected("Which GPU model was used?")
    for maker_only in ("We thank NVIDIA for the GPU donation.", "We trained on NVIDIA GPUs.",
                       "This work was supported by the NVIDIA Artificial Intelligence Lab."):
        assert not model.held_by(maker_only) and not model.specific(maker_only)
    for named in ("We used an NVIDIA RTX 3090.", "Experiments used a Titan Xp GPU donated by "
                  "NVIDIA.", "Models were trained on an NVIDIA K40."):
        assert model.held_by(named)
    # a name most passages use is what the paper is about ("FishNet"), not "the library" asked
    evidence = _passages(
        "FishNet classifies fish species from underwater video.",
        "We evaluated FishNet on 12 rivers.",
        "On the test rivers FishNet reached 91% accuracy, as in Table 2.",
        "FishNet was compared with a random forest baseline.",
    )
    focus = Focus.of("Which deep learning library was FishNet implemented in?", evidence)
    assert not focus.gives("On the test rivers FishNet reached 91% accuracy, as in Table 2.")
    assert focus.gives("It was implemented in PyTorch.")


def test_a_value_asked_for_answers_in_the_papers_own_words():
    # every passage says "routes": no question word is distinctive, yet the count answers
    evidence = _passages(
        "Survey routes are driven once a year by volunteers.",
        "We analysed 739 routes sampled in at least 27 of 31 years.",
        "Routes differ in habitat and in observer experience.",
        "Trends were fitted for each of the routes separately.",
    )
    focus = Focus.of("How many routes were included?", evidence)
    assert focus.answered_by("We analysed 739 routes sampled in at least 27 of 31 years.")
    assert not focus.answered_by("Routes differ in habitat and in observer experience.")


def _passages(*texts: str) -> list:
    """One paper's passages, one a page, numbered from 1."""
    from core.types import Evidence

    return [Evidence(n, "d1", "FishNet", Path("/x.pdf"), n, n, "methods", text, 1.0)
            for n, text in enumerate(texts, start=1)]


def test_a_sentence_of_thanks_says_who_helped_not_what_was_used():
    """"Thanks also to ... the Google Cloud TPU team for help with the computing
    infrastructure" for "which TPU?": a sentence of thanks or of funding names who helped. It
    answers what was used when it says so, and a question about funding."""
    from core.answer.focus import ranked_sentences, thanks_only

    thanks = "Thanks also to the Google Cloud TPU team for help with the computing infrastructure."
    funded = "This work was supported by the NSF and the NVIDIA Artificial Intelligence Lab."
    used = "We thank NVIDIA for the donation of the Titan Xp GPU used for this research."
    evidence = _passages(thanks, funded, "FishNet reached 91% accuracy on the test rivers.",
                         "FishNet was compared with a random forest baseline.")
    asked = "Which accelerator (GPU or TPU type) was FishNet trained on?"
    assert ranked_sentences(asked, evidence, strict=True) == []
    shown = ranked_sentences(asked, [*evidence, *_passages(used)], strict=True)
    assert [s for _, _, s in shown] == [used]
    funding = ranked_sentences("Which organisations funded the FishNet work?", evidence,
                               strict=True)
    assert funded in [s for _, _, s in funding]
    assert not thanks_only("We acknowledge that FishNet misses fish in turbid water.")
    assert thanks_only("We gratefully acknowledge NVIDIA Corporation for a GPU.")


def test_gpu_hours_do_not_answer_which_gpu_model(fake_library, fake_generator, tmp_path):
    """A paper that gives GPU-hours but no GPU model: "not reported", not the GPU-hours."""
    _paper(tmp_path / "hours.pdf", "Fish Species from Underwater Video", [
        "Training the classifier took 70 GPU hours on the cluster of our institute.",
        "We used the Adam optimizer with a learning rate of 0.001 and a batch size of 32.",
    ])
    list(fake_library.add([tmp_path / "hours.pdf"]))
    fake_generator.enqueue("The classifier was trained for 70 GPU hours [1].")
    a = _ask(fake_library, "Which GPU model was the classifier trained on?",
             papers=_only(fake_library))
    assert a.abstained and not a.citations
    # the same question where the paper names the model is answered, with the name
    _paper(tmp_path / "k40.pdf", "Bird Calls from Field Recorders", [
        "The network was trained on two NVIDIA Tesla K40 GPUs for three days.",
        "We used the Adam optimizer with a learning rate of 0.001 and a batch size of 32.",
    ])
    list(fake_library.add([tmp_path / "k40.pdf"]))
    k40 = next(p.doc_id for p in fake_library.papers() if p.path.name == "k40.pdf")
    fake_generator.enqueue("The network was trained on two NVIDIA Tesla K40 GPUs [1].")
    a = _ask(fake_library, "Which GPU model was the network trained on?", papers=[k40])
    assert not a.abstained and "K40" in a.answer


# ---------------------------------------------------------------- facts kept whole
def test_a_url_split_at_a_line_end_is_rejoined(fake_library, fake_generator, tmp_path):
    _lines(tmp_path / "url.pdf", [[
        "Fish Species from Underwater Video",
        "Our code and the trained weights are available at https://github.com/",
        "lantern-lab/fish-classifier for anyone who wants to reuse them.",
        "We trained the classifier with the Adam optimizer for 40 epochs.",
    ]])
    list(fake_library.add([tmp_path / "url.pdf"]))
    doc = _only(fake_library)[0]
    assert "https://github.com/lantern-lab/fish-classifier" in fake_library.page_text(doc, 1)
    fake_generator.enqueue("The code is at https://github.com/lantern-lab/fish-classifier [1].")
    a = _ask(fake_library, "Where is the code available?", papers=[doc])
    assert not a.abstained
    assert "https://github.com/lantern-lab/fish-classifier" in a.answer


def test_a_value_on_the_next_page_stays_with_its_sentence(fake_library, fake_generator,
                                                          tmp_path):
    """"... an effective batch size of" | page break | "32 images per step.": the sentence is
    shown whole, its value included, and cited on both pages."""
    filler = ["Monitoring freshwater fish communities matters for conservation planning."] * 3
    _lines(tmp_path / "pages.pdf", [
        ["Fish Species from Underwater Video", *filler,
         "The detector was trained with stochastic gradient descent and an effective batch",
         "size of"],
        ["32 images per step on the annotated survey frames.", *filler],
    ])
    list(fake_library.add([tmp_path / "pages.pdf"]))
    doc = _only(fake_library)[0]
    fake_generator.enqueue("The effective batch size was 32 images per step [1].")
    a = _ask(fake_library, "What batch size was used to train the detector?", papers=[doc])
    assert not a.abstained and "32" in a.answer
    across = [c for c in a.citations if c.page_end]
    assert across and across[0].pages == "pp. 1\u20132" and "size of" in across[0].quote
    assert across[0].quote.split("\n")[0] in fake_library.page_text(doc, 1)


# ---------------------------------------------------------------- one named paper, one source
def test_a_named_paper_that_does_not_say_is_not_filled_in_from_another(
        fake_library, fake_generator, tmp_path):
    """The paper the question names (its title read badly, "T 2V", as a small-caps title
    was) never mentions augmentation; another paper does. The answer says the named paper
    does not report it, and cites nothing."""
    body = ("Task2Vec embeds a task by the Fisher information of a probe network. With "
            "Task2Vec we select an expert feature extractor for a new task. We compute "
            "Task2Vec embeddings for 1,460 tasks and show that Task2Vec distances predict "
            "transfer between tasks.")
    _paper(tmp_path / "t2v.pdf", "T 2V: Task Embedding for Meta-Learning", [body, body])
    _paper(tmp_path / "red.pdf", "Red Teaming Language Models with Language Models", [
        "We apply two types of augmentation to the generated test cases: paraphrasing and "
        "back-translation.",
        "The red team model is sampled with nucleus sampling.",
    ])
    list(fake_library.add([tmp_path / "t2v.pdf", tmp_path / "red.pdf"]))
    a = _ask(fake_library, "What data augmentation was applied in Task2Vec?")
    assert a.auto_scope == "Task2Vec"
    assert a.abstained and a.answer == "Not reported in Task2Vec."
    red = next(p.doc_id for p in fake_library.papers() if p.path.name == "red.pdf")
    assert all(c.doc_id != red for c in a.citations)
    assert all(e.doc_id != red for e in a.evidence)


# ---------------------------------------------------------------- Extract cells
def test_an_extract_cell_never_shows_model_text_its_quote_contradicts():
    quote = "We train with a batch size of 512 sequences for 300K iterations."
    c = Citation(1, "d1", "Megatron", Path("/m.pdf"), 4, quote, True)
    g = Grounded("", False, (Sentence("The batch size was 8.", (2,), True, ""),), (c,),
                 "generated")
    cited, text = cell_text(g)
    assert cited == c and text == quote  # the quote, not "a batch size of 8"
    g = Grounded("", False, (Sentence("The batch size was 512.", (1,), True, ""),), (c,),
                 "generated")
    assert cell_text(g) == (c, "The batch size was 512.")
    # the model copied the quote and stopped before its value: the quote, whole
    g = Grounded("", False, (Sentence("We train with a batch size of", (1,), True, ""),), (c,),
                 "generated")
    assert cell_text(g) == (c, quote)


def test_a_phrase_the_paper_abbreviates_is_asked_by_its_abbreviation(
        fake_library, fake_generator, tmp_path):
    """The question spells out "support vector regression"; the paper defines "SVR" once and
    states the kernel as "SVR" later: the abbreviation finds it."""
    _paper(tmp_path / "svr.pdf", "Drought Forecasts for River Basins", [
        "We compare artificial neural networks with support vector regression (SVR) for "
        "forecasting the standardized precipitation index.",
        "The networks had one hidden layer of ten neurons.",
        "All SVR models used the nonlinear radial basis function (RBF) kernel.",
    ])
    list(fake_library.add([tmp_path / "svr.pdf"]))
    question = "What kernel did the support vector regression forecasts rely on?"
    asked = fake_library._asker.spelled_out(question, _only(fake_library))
    assert asked == "What kernel did the support vector regression (SVR) forecasts rely on?"
    # a phrase the paper abbreviates with other initials ("large language models (LLMs)" for
    # "language models") is left as it is
    assert fake_library._asker.spelled_out(
        "How many hidden layers did the neural networks have?", _only(fake_library)) == (
        "How many hidden layers did the neural networks have?")
    # a paper's own name is in all its passages: its abbreviation finds nothing
    _paper(tmp_path / "wn.pdf", "Wavelet Networks", [
        "We introduce Wavelet Networks (WN) for drought forecasts.",
        "WN models were trained with the Levenberg-Marquardt algorithm.",
    ])
    list(fake_library.add([tmp_path / "wn.pdf"]))
    wn = next(p.doc_id for p in fake_library.papers() if p.path.name == "wn.pdf")
    trained = "How were the Wavelet Networks trained?"
    assert fake_library._asker.spelled_out(trained, [wn]) == trained
    svr = next(p.doc_id for p in fake_library.papers() if p.path.name == "svr.pdf")
    fake_generator.enqueue("The SVR models used the radial basis function (RBF) kernel [1].")
    a = _ask(fake_library, question, papers=[svr])
    assert not a.abstained and "RBF" in a.answer
    assert a.question == question  # the user's own words are kept
    # the checked sentence keeps the quote that supports it, whatever else its passage gives
    assert any("(RBF) kernel" in c.quote for c in a.citations)
    # an Extract column asks it the same way
    from core import CellDone
    from core.questionsets import Question, QuestionSet

    qset = QuestionSet("k", "Kernels", (Question("kernel", "Kernel", question),))
    fake_generator.enqueue("The SVR models used the radial basis function (RBF) kernel [1].")
    cell = next(e.cell for e in fake_library.extract(qset, papers=[svr]) if isinstance(e, CellDone))
    assert cell.reported and "RBF" in cell.answer + cell.quote


def test_an_instrument_a_camera_and_compute_time_are_asked_by_their_form():
    instrument = expected("What instrument was used for the metabolite profiling?")
    assert instrument.held_by("Profiling was performed on a Thermo Q-Exactive mass spectrometer.")
    assert not instrument.held_by("Profiling used an LC-HRMS technique called IROA.")
    camera = expected("What camera hardware took the time-lapse photographs?")
    assert camera.names == ("camera",)  # the camera is the hardware asked
    assert camera.held_by("NIES installed the digital time-lapse camera (EOS 5D MK2, Canon Inc.).")
    assert not camera.held_by("The rendering was accelerated with GPUs using OpenGL.")
    gpu_time = expected("How much GPU time did the main experiments consume?")
    assert gpu_time.held_by("Their main experiments took approximately 192 GPU hours.")
    assert not gpu_time.held_by("We ran the main experiments on 8 GPUs.")
    # a package named by the word after "the R package"; a value by a Greek letter
    package = expected("Which R package computed the Bray-Curtis dissimilarity?")
    assert package.held_by("We calculated Bray-Curtis dissimilarity using the R package vegan.")
    assert not package.held_by("The R package we have developed characterises size.")
    beta = expected("Which Adam β2 value was used?")
    assert beta.held_by("We found setting β2 = 0.98 to improve stability.")
    assert not beta.held_by("The learning rate peaks at a value of 1e-4.")
    decay = expected("What weight decay value was used?")  # the weight decay's value
    assert not decay.held_by("We use a linear learning rate decay with a warmup of 0.06.")
    # a measurement asked by its quantity: "what light intensity" is not a photoperiod
    light = expected("What light intensity did the plants receive from the lamps?")
    assert not light.held_by("Pots were kept at 24 C with a 16 h photoperiod using supplemental lighting.")
    assert light.held_by("The lamps gave a light intensity of 400 umol m-2 s-1.")
    resolution = expected("To what resolution were the images rescaled?")
    assert resolution.held_by("We simply resize all input images to the size of 224 × 224.")
    assert not expected("How large a neighbourhood around each pixel was used?").values[0] & {
        "around"}


def test_a_sentence_about_the_setting_or_the_title_line_does_not_answer():
    """What a question asks, not the scene it sets ("When X was applied to ...", "... before
    Y"), nor the paper's title line read into a page's first sentence, nor a sentence that
    names none of the thing asked ("what kernel")."""
    title = "Selection Pressure Across Seven Thousand Gene Families"
    evidence = [Evidence(n, "d1", title, Path("/x.pdf"), n, n, "methods", text, 1.0)
                for n, text in enumerate((
                    f"{title} Ann Smith, Bo Lee Abstract We test genes for selection.",
                    "Sequence alignments were made for all 7,918 gene families.",
                    "Alignments were trimmed with trimAl.",
                    "Each family was analysed with codeml on a cluster.",
                    "We report the families under positive selection.",
                    "P-values were corrected with the Benjamini-Hochberg method.",
                ), start=1)]
    corrected = Focus.of("When the pipeline was applied to the 7,918 gene families, how were "
                         "the p-values corrected for multiple testing?", evidence)
    assert not corrected.answered_by(evidence[1].text)  # the setting, not the correction
    assert corrected.answered_by(evidence[5].text)
    trimmed = Focus.of("How were the alignments filtered before the codeml runs?", evidence)
    assert "codeml" in trimmed.setting and not trimmed.answered_by(evidence[3].text)
    # the title line: its words are the topic of every question
    selection = Focus.of("How was positive selection across gene families tested?", evidence)
    assert selection.untitled(evidence[0].text) == "Abstract We test genes for selection."
    assert selection.untitled(evidence[4].text) == evidence[4].text
    # after a running head, and again as the page's own title line (a sample paper's first line)
    head = f"Lantern sample paper \u00a9 2021 - {title} 1 {title} Ann Smith"
    assert selection.untitled(head) == "" and not selection.answered_by(head)
    assert selection.untitled(f"J. Mol. Evol. 2021 {title} 3 {title}") == ""
    kernel = Focus.of("What kernel did the support vector regression (SVR) models use?",
                      _passages("We compare neural networks with support vector regression "
                                "(SVR) for drought forecasts.", "The SVR used an RBF kernel."))
    assert not kernel.answered_by("We compare neural networks with support vector regression "
                                  "(SVR) for drought forecasts.")
    assert kernel.answered_by("The SVR used an RBF kernel.")


def test_an_optimiser_is_named_by_its_form_beside_a_word_of_optimising():
    focus = Focus.of("Which optimisation algorithm estimated the camera parameters?", [])
    assert focus.parts("We estimated the camera parameters by minimizing this distance using "
                       "the Covariance Matrix Adaptation Evolution Strategy (CMA-ES).")
    assert focus.parts("The camera parameters were estimated with Adam.")  # a known name
    # a name of another kind beside "minimize" names no optimiser
    assert not focus.parts("We estimated the camera parameters on 8 V100 GPUs with PyTorch to "
                           "minimize the distance.")
    assert not focus.parts("The camera parameters of the EOS 5D camera were estimated.")
    glm = "We fit Gamma GLMs with a log link to the routes' trends."
    models = Focus.of("Which statistical models were used for the trends?",
                      _passages(glm, "Models were compared by AICc.", "Counts were summed."))
    assert models.answered_by(glm)  # a kind of model, named by its instance


def test_a_sentence_that_only_restates_the_question_is_not_shown():
    from core.answer.focus import ranked_sentences, restates

    said = "These profiles were smoothed and the largest peak per profile extracted."
    evidence = _passages(said, "Profiles were clustered with k-means, k = 3.", "Genes were sorted.")
    assert ranked_sentences("How were the activation profiles smoothed before the largest peak "
                            "per profile was extracted?", evidence, strict=True) == []
    # a "no" is an answer to a yes-or-no question
    assert not restates("No weight decay or scheduler is used.",
                        "Was weight decay or a scheduler used?")
