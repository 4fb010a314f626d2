"""Shared helpers for the speaker-embedding build tools (build time only).

numpy / soundfile / onnxruntime only: no torch here, so the tests and the
TypeScript-reference fixture can use it without the export dependencies.

The front-end implemented here is the one the exported ``model.onnx`` expects
and the one documented in ``frontend.json`` (Resemblyzer's GE2E encoder):

* 16 kHz mono float32 in [-1, 1]
* volume normalisation to -30 dBFS, increase only (gain computed from the RMS
  of the whole utterance)
* STFT: n_fft 400 (25 ms), hop 160 (10 ms), periodic Hann window of 400,
  centred frames (400 // 2 = 200 zeros padded on both sides), power 2
* 40-bin Slaney mel filterbank (librosa/Slaney scale, Slaney area norm),
  fmin 0, fmax 8000, applied to the 201 power bins; NO log, NO mean norm
* partial utterances of 160 frames, one every 77 frames (rate 1.3/s),
  last partial kept if it covers >= 75 % of its span (audio zero-padded)
* model: [n_partials, 160, 40] -> [n_partials, 256] (L2-normalised)
* utterance embedding = L2-normalise(mean of partial embeddings)
"""
from __future__ import annotations

import glob
import itertools
import os
import re
from pathlib import Path

import numpy as np

def _find_shared() -> Path:
    """$TRANSCREVAI_SHARED, else shared/ beside the checkout (as CI lays it out), else /work/shared."""
    for p in (os.environ.get("TRANSCREVAI_SHARED"), Path(__file__).resolve().parents[3] / "shared", "/work/shared"):
        if p and (Path(p) / "testdata").is_dir():
            return Path(p)
    return Path("/work/shared")


SHARED = _find_shared()
SR = 16000
N_FFT = 400
HOP = 160
N_MELS = 40
PARTIAL_FRAMES = 160
PARTIAL_RATE = 1.3
MIN_COVERAGE = 0.75
NORM_TARGET_DBFS = -30.0
INT16_MAX = 2 ** 15 - 1


# ---------------------------------------------------------------- clips
def list_clips(shared: Path = SHARED) -> list[tuple[str, Path]]:
    """(speaker label, path) for every labelled speaker clip in shared testdata.

    * testdata/speakers/{enroll,test}/<name>-...wav    -> label <name>
    * testdata/speakers/test/3d-speaker/speakerN_x_<lang>_16k.wav -> speakerN_<lang>
      (the cn and en clips come from two different 3D-Speaker model cards, so
      speaker1_cn and speaker1_en are different people)
    * testdata/en/speechbrain/spkN_sntM.wav -> sb_spkN
    """
    out: list[tuple[str, Path]] = []
    base = shared / "testdata"
    for p in sorted(glob.glob(str(base / "speakers" / "enroll" / "*.wav"))
                    + glob.glob(str(base / "speakers" / "test" / "*.wav"))):
        out.append((Path(p).name.split("-")[0], Path(p)))
    for p in sorted(glob.glob(str(base / "speakers" / "test" / "3d-speaker" / "*.wav"))):
        m = re.match(r"(speaker\d+)_[ab]_(cn|en)_16k\.wav", Path(p).name)
        if m:
            out.append((f"3d_{m.group(1)}_{m.group(2)}", Path(p)))
    for p in sorted(glob.glob(str(base / "en" / "speechbrain" / "spk*_snt*.wav"))):
        out.append(("sb_" + Path(p).name.split("_")[0], Path(p)))
    return out


def read_wav(path: Path) -> np.ndarray:
    import soundfile as sf

    wav, sr = sf.read(str(path), dtype="float32", always_2d=True)
    wav = wav.mean(axis=1)
    if sr != SR:
        raise ValueError(f"{path}: expected {SR} Hz, got {sr}")
    return np.ascontiguousarray(wav, dtype=np.float32)


# ---------------------------------------------------------------- metrics
def pair_scores(labels: list[str], embs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine scores of all unordered pairs, split into (same, different)."""
    e = embs / np.linalg.norm(embs, axis=1, keepdims=True)
    same, diff = [], []
    for i, j in itertools.combinations(range(len(labels)), 2):
        s = float(e[i] @ e[j])
        (same if labels[i] == labels[j] else diff).append(s)
    return np.array(same), np.array(diff)


def eer(same: np.ndarray, diff: np.ndarray) -> float:
    """Equal error rate (fraction) by threshold sweep over all scores."""
    thr = np.unique(np.concatenate([same, diff]))
    best = 1.0
    for t in thr:
        frr = np.mean(same < t)
        far = np.mean(diff >= t)
        best = min(best, max(frr, far))
    return float(best)


# ---------------------------------------------------------------- front-end
def _hz_to_mel_slaney(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz_slaney(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank(sr: int = SR, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Slaney-scale, Slaney-normalised triangular filterbank [n_mels, n_fft//2+1].

    Same formula as librosa.filters.mel(htk=False, norm='slaney') (checked
    against librosa in the tests).
    """
    fmax = sr / 2 if fmax is None else fmax
    n_bins = n_fft // 2 + 1
    fftfreqs = np.linspace(0, sr / 2, n_bins)
    mel_f = _mel_to_hz_slaney(np.linspace(_hz_to_mel_slaney(fmin), _hz_to_mel_slaney(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    weights = np.zeros((n_mels, n_bins))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, None]
    return weights.astype(np.float32)


def normalize_volume(wav: np.ndarray, target_dbfs: float = NORM_TARGET_DBFS) -> np.ndarray:
    """Resemblyzer's normalize_volume(increase_only=True)."""
    rms = np.sqrt(np.mean((wav.astype(np.float64) * INT16_MAX) ** 2))
    if rms <= 0:
        return wav
    wave_dbfs = 20 * np.log10(rms / INT16_MAX)
    change = target_dbfs - wave_dbfs
    if change < 0:
        return wav
    return (wav * (10 ** (change / 20))).astype(np.float32)


def mel_power(wav: np.ndarray) -> np.ndarray:
    """[n_frames, 40] power mel, n_frames = 1 + len(wav) // 160 (centred frames)."""
    wav = np.asarray(wav, dtype=np.float32)
    pad = N_FFT // 2
    x = np.pad(wav, (pad, pad), mode="constant")
    n_frames = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    win = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    frames = x[idx] * win[None, :]
    spec = np.abs(np.fft.rfft(frames, n=N_FFT, axis=1)) ** 2
    return (spec @ mel_filterbank().T).astype(np.float32)


def partial_slices(n_samples: int, rate: float = PARTIAL_RATE, min_coverage: float = MIN_COVERAGE):
    """Resemblyzer's VoiceEncoder.compute_partial_slices -> (wav_slices, mel_slices)."""
    samples_per_frame = HOP
    n_frames = int(np.ceil((n_samples + 1) / samples_per_frame))
    frame_step = int(np.round((SR / rate) / samples_per_frame))
    wav_slices, mel_slices = [], []
    steps = max(1, n_frames - PARTIAL_FRAMES + frame_step + 1)
    for i in range(0, steps, frame_step):
        mel_slices.append(slice(i, i + PARTIAL_FRAMES))
        wav_slices.append(slice(i * samples_per_frame, (i + PARTIAL_FRAMES) * samples_per_frame))
    last = wav_slices[-1]
    coverage = (n_samples - last.start) / (last.stop - last.start)
    if coverage < min_coverage and len(mel_slices) > 1:
        mel_slices, wav_slices = mel_slices[:-1], wav_slices[:-1]
    return wav_slices, mel_slices


def partial_mels(wav: np.ndarray) -> np.ndarray:
    """Whole front-end: waveform -> model input [n_partials, 160, 40]."""
    wav = normalize_volume(np.asarray(wav, dtype=np.float32))
    wav_slices, mel_slices = partial_slices(len(wav))
    stop = wav_slices[-1].stop
    if stop >= len(wav):
        wav = np.pad(wav, (0, stop - len(wav)), mode="constant")
    mel = mel_power(wav)
    return np.stack([mel[s] for s in mel_slices]).astype(np.float32)


def embed_onnx(session, wav: np.ndarray) -> np.ndarray:
    """Utterance embedding through model.onnx (onnxruntime session)."""
    mels = partial_mels(wav)
    partial = session.run(["embedding"], {"mels": mels})[0]
    raw = partial.mean(axis=0)
    return (raw / np.linalg.norm(raw)).astype(np.float32)
