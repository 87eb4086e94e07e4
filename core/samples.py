"""The project's own sample papers: short PDFs written from text with known facts.

They make a new library useful at once (the demo and the desktop's first run) and double as
end-to-end fixtures: every fact below is something a question can be checked against.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.parts import Parts

SAMPLE_QUESTION = "Which GPU was used to train the camera-trap classifier?"

SAMPLES: dict[str, dict] = {
    "camera_trap_deep_learning.pdf": {
        "title": "Deep Learning for Camera-Trap Classification of Alpine Mammals",
        "authors": ["Ana Lindqvist", "Tomas Berger", "Mei Okafor"],
        "year": 2023,
        "sections": [
            ("Abstract", [
                "Camera traps produce millions of images that ecologists must label by hand. "
                "We trained a convolutional neural network to identify twelve alpine mammal "
                "species and reached 94.2% top-1 accuracy on held-out camera sites.",
            ]),
            ("1 Introduction", [
                "Monitoring mammals in alpine meadows relies on motion-triggered cameras. Manual "
                "labelling is slow, and earlier classifiers did not transfer to new sites. We ask "
                "whether transfer learning from ImageNet closes this gap for rare species.",
                "Camera traps have become a standard tool for surveying elusive mammals because "
                "they operate day and night with little disturbance. A single survey season can "
                "yield hundreds of thousands of photographs, most of them empty frames triggered "
                "by moving grass, snow or changes in light. Sorting these images by hand takes "
                "trained staff many weeks, and the backlog delays management decisions.",
                "Convolutional neural networks now classify common species well when the test "
                "images come from the same cameras as the training images. Performance drops at "
                "new sites, where backgrounds, vegetation and camera angles differ. Rare species "
                "suffer most, because few training examples exist and errors on them matter most "
                "for conservation.",
                "In this study we assemble a multi-year data set from the eastern Alps, train a "
                "classifier with a site-level split, and report accuracy per species together "
                "with the settings needed to reproduce the work.",
            ]),
            ("2 Materials and Methods", [
                "We collected 48,310 images from 62 camera traps in the Hohe Tauern National Park "
                "between 2018 and 2021. Images without an animal were removed before training. "
                "All images were resized to 224 x 224 pixels and normalised with the ImageNet mean "
                "and standard deviation.",
                "The data were split by camera site into training (70%), validation (15%) and test "
                "(15%) sets, so that no site appears in more than one set.",
                "We fine-tuned a ResNet-50 pretrained on ImageNet in PyTorch 2.1. Training used the "
                "Adam optimizer with a learning rate of 0.0003, a batch size of 64 and 40 epochs, "
                "with the learning rate halved when the validation loss stopped improving. Data "
                "augmentation consisted of random horizontal flips, random crops and colour jitter.",
                "The model was trained on a single NVIDIA RTX 3090 GPU with 24 GB of memory; "
                "training took 9 hours. We fixed the random seed to 42 for all runs.",
            ]),
            ("3 Results", [
                "The network reached 94.2% top-1 accuracy on the test sites. Accuracy was lowest "
                "for the mountain hare (71.5%), which is often photographed at night.",
                "Chamois, red deer and red fox were recognised with more than 97% accuracy. Most "
                "remaining errors were confusions between the stoat and the least weasel, two "
                "small mustelids that look alike in infrared images.",
                "Removing empty images before training reduced the labelling effort by 64%, and "
                "a confidence threshold of 0.9 let the model label 81% of images automatically "
                "while keeping the error rate on those images below 2%.",
            ]),
            ("4 Discussion", [
                "Splitting by site rather than by image gives an honest estimate of performance "
                "at new locations. Code and trained weights are available from the authors on "
                "request.",
                "Night images remain the main source of error. Infrared flashes wash out fur "
                "patterns, and animals often appear only partly in the frame. Adding more night "
                "images from a wider range of sites is the most promising way to improve the "
                "classifier for nocturnal species such as the mountain hare.",
                "Our results support the use of transfer learning for alpine monitoring programmes "
                "that cannot afford to label large numbers of images at every new site.",
            ]),
            ("References", [
                "He K, Zhang X, Ren S, Sun J. Deep residual learning for image recognition. CVPR, "
                "2016. Trained with SGD on 8 NVIDIA Tesla K80 GPUs.",
                "Norouzzadeh MS et al. Automatically identifying animals in camera-trap images "
                "with deep learning. PNAS 115, 2018.",
            ]),
        ],
    },
    "bird_song_acoustic_monitoring.pdf": {
        "title": "Acoustic Monitoring of Forest Birds with Convolutional Networks",
        "authors": ["Jonas Weber", "Priya Raman"],
        "year": 2022,
        "sections": [
            ("Abstract", [
                "Passive acoustic recorders capture the dawn chorus of forest birds. We trained a "
                "convolutional network on spectrograms to detect 35 species and report a mean "
                "average precision of 0.81.",
            ]),
            ("1 Introduction", [
                "Point counts by human observers are costly. Autonomous recorders scale better but "
                "produce more audio than experts can review.",
            ]),
            ("2 Methods", [
                "Recordings were resampled to 22.05 kHz and converted to log-mel spectrograms with "
                "128 mel bands over five-second windows. We used 12,400 labelled clips, of which "
                "80% were used for training and 20% for testing.",
                "The network is an EfficientNet-B0 trained from scratch with stochastic gradient "
                "descent (SGD) with momentum 0.9 and an initial learning rate of 0.01 following a "
                "cosine schedule, for 60 epochs with a batch size of 128. Mixup and time shifting "
                "were used as augmentation. Training ran on four NVIDIA V100 GPUs.",
            ]),
            ("3 Results", [
                "Mean average precision was 0.81 across species; the wren and the blackcap were "
                "detected best.",
            ]),
            ("References", [
                "Kahl S et al. BirdNET: a deep learning solution for avian diversity monitoring. "
                "Ecological Informatics 61, 2021.",
            ]),
        ],
    },
    "grassland_seedling_survival.pdf": {
        "title": "Soil Moisture and Seedling Survival in a Restored Grassland",
        "authors": ["Clara Mendes"],
        "year": 2021,
        "sections": [
            ("Abstract", [
                "We followed 1,200 seedlings of six native forbs for two growing seasons in a "
                "restored tallgrass prairie and related their survival to soil moisture.",
            ]),
            ("Methods", [
                "Soil moisture was measured weekly with time-domain reflectometry at 10 cm depth. "
                "Survival was analysed with mixed-effects logistic regression in R 4.2, with plot "
                "as a random effect.",
            ]),
            ("Results", [
                "Survival rose from 31% in the driest plots to 78% in the wettest plots. Purple "
                "coneflower survived best.",
            ]),
        ],
    },
}


def write_samples(folder: Path) -> list[Path]:
    """Write the sample PDFs into a folder (deterministic bytes: re-adding them is free)."""
    from core.pdfgen import write_paper

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, paper in SAMPLES.items():
        path = folder / name
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            write_paper(tmp, title=paper["title"], authors=paper["authors"],
                        sections=paper["sections"], creation_year=paper["year"], size=11.0,
                        # the year in the text, as a paper has it (the file's date is not read)
                        running_header=f"Lantern sample paper \u00a9 {paper['year']} - {paper['title']}")
            tmp.replace(path)
        paths.append(path)
    return paths


def to_add(parts: Parts) -> list[Path]:
    """The sample PDFs to add, written under the library folder; none once they were added (a
    user who removes them keeps them removed). Library.add_samples adds them."""
    if parts.store.meta("samples_added"):
        return []
    return write_samples(parts.root / "samples")


def mark_added(parts: Parts) -> None:
    """The samples were added: to_add() gives none from now on."""
    parts.store.set_meta("samples_added", 1)
