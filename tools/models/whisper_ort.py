"""Reference greedy Whisper decoder on onnxruntime (Python), for the build checks and the tests.

It runs a model folder in the onnx-community layout exactly the way the TypeScript runtime does:
log-mel (WhisperFeatureExtractor) -> onnx/encoder_model[_int8].onnx -> onnx/decoder_model_merged[_int8].onnx
with the KV cache (use_cache_branch false on the first step, true after), greedy argmax, prompt
<|startoftranscript|><|lang|><|transcribe|><|notimestamps|>, suppress_tokens always and
begin_suppress_tokens on the first sampled position (the same rules faster-whisper/CTranslate2 use
in without_timestamps mode).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


def load_audio(path: str | Path) -> np.ndarray:
    import soundfile as sf

    audio, sr = sf.read(str(path), dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    if sr != SAMPLE_RATE:
        # Linear-phase polyphase resampling, only used if a clip is not 16 kHz.
        from math import gcd

        from scipy.signal import resample_poly  # pragma: no cover

        g = gcd(sr, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, sr // g).astype(np.float32)
    return np.ascontiguousarray(audio, dtype=np.float32)


@dataclass
class Timing:
    encoder_s: float = 0.0
    decoder_s: float = 0.0
    steps: int = 0
    extra: dict = field(default_factory=dict)


class OrtWhisper:
    def __init__(self, model_dir: str | Path, int8: bool = False, threads: int = 2, suffix: str | None = None):
        """`suffix` picks the files of a precision ("", "_int8", "_q4"); `int8` is the older spelling of "_int8"."""
        import onnxruntime as ort
        from transformers import WhisperFeatureExtractor

        self.dir = Path(model_dir)
        if suffix is None:
            suffix = "_int8" if int8 else ""
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.encoder = ort.InferenceSession(str(self.dir / "onnx" / f"encoder_model{suffix}.onnx"), so,
                                            providers=["CPUExecutionProvider"])
        self.decoder = ort.InferenceSession(str(self.dir / "onnx" / f"decoder_model_merged{suffix}.onnx"), so,
                                            providers=["CPUExecutionProvider"])
        self.config = json.loads((self.dir / "config.json").read_text())
        self.gen = json.loads((self.dir / "generation_config.json").read_text())
        self.fe = WhisperFeatureExtractor.from_pretrained(str(self.dir))
        self.n_layers = self.config["decoder_layers"]
        self.n_heads = self.config["decoder_attention_heads"]
        self.head_dim = self.config["d_model"] // self.n_heads
        self.suppress = np.array(self.gen["suppress_tokens"], dtype=np.int64)
        self.begin_suppress = np.array(self.gen["begin_suppress_tokens"], dtype=np.int64)
        self.eot = int(self.gen["eos_token_id"])
        self.max_length = int(self.gen.get("max_length", 448))

    def features(self, audio: np.ndarray, frontend: str = "hf") -> np.ndarray:
        """[1, n_mels, 3000] log-mel.

        frontend="hf": transformers' WhisperFeatureExtractor (what transformers.js does): the audio is
        zero-padded to 30 s *before* the STFT, so the tail frames hold the log-mel of silence.
        frontend="fw": faster-whisper 1.2.1 / openai-whisper: log-mel of the audio (+160 samples), the
        content frames (all but the last) are kept and the window is zero-padded to 3000 frames *in the
        normalised log-mel domain*. The two differ only in the frames after the end of the speech.
        """
        if frontend == "hf":
            return self.fe(audio, sampling_rate=SAMPLE_RATE, return_tensors="np").input_features.astype(np.float32)
        if frontend == "fw":
            from faster_whisper.feature_extractor import FeatureExtractor

            fe = FeatureExtractor(feature_size=self.config["num_mel_bins"])
            feats = fe(audio)  # padding=160, as WhisperModel.transcribe
            content = feats[:, : feats.shape[-1] - 1][:, :3000]
            out = np.zeros((1, feats.shape[0], 3000), dtype=np.float32)
            out[0, :, : content.shape[1]] = content
            return out
        raise ValueError(frontend)

    def prompt(self, language: str, task: str = "transcribe") -> list[int]:
        if not self.gen.get("is_multilingual", True):
            if language != "en":
                raise ValueError("English-only model")
            return [int(self.gen["decoder_start_token_id"]), int(self.gen["no_timestamps_token_id"])]
        return [
            int(self.gen["decoder_start_token_id"]),
            int(self.gen["lang_to_id"][f"<|{language}|>"]),
            int(self.gen["task_to_id"][task]),
            int(self.gen["no_timestamps_token_id"]),
        ]

    def transcribe_tokens(self, audio: np.ndarray, language: str, timing: Timing | None = None,
                          frontend: str = "hf") -> list[int]:
        feats = self.features(audio, frontend)
        t0 = time.perf_counter()
        (hidden,) = self.encoder.run(["last_hidden_state"], {"input_features": feats})
        t1 = time.perf_counter()
        prompt = self.prompt(language)
        empty = np.zeros((1, self.n_heads, 0, self.head_dim), dtype=np.float32)
        past = {}
        for i in range(self.n_layers):
            for kind in ("decoder", "encoder"):
                for kv in ("key", "value"):
                    past[f"past_key_values.{i}.{kind}.{kv}"] = empty
        out_names = [o.name for o in self.decoder.get_outputs()]
        ids = np.array([prompt], dtype=np.int64)
        tokens: list[int] = []
        use_cache = False
        steps = 0
        while len(prompt) + len(tokens) < self.max_length:
            feed = {"input_ids": ids, "encoder_hidden_states": hidden,
                    "use_cache_branch": np.array([use_cache]), **past}
            outs = dict(zip(out_names, self.decoder.run(out_names, feed)))
            steps += 1
            logits = outs["logits"][0, -1].astype(np.float64)
            logits[self.suppress] = -np.inf
            if not tokens:
                logits[self.begin_suppress] = -np.inf
            tok = int(np.argmax(logits))
            if tok == self.eot:
                break
            tokens.append(tok)
            for i in range(self.n_layers):
                for kv in ("key", "value"):
                    past[f"past_key_values.{i}.decoder.{kv}"] = outs[f"present.{i}.decoder.{kv}"]
                    if not use_cache:  # cross-attention KV is computed once, on the first step
                        past[f"past_key_values.{i}.encoder.{kv}"] = outs[f"present.{i}.encoder.{kv}"]
            use_cache = True
            ids = np.array([[tok]], dtype=np.int64)
        t2 = time.perf_counter()
        if timing is not None:
            timing.encoder_s += t1 - t0
            timing.decoder_s += t2 - t1
            timing.steps += steps
        return tokens


def normalise(text: str) -> str:
    """Case- and punctuation-insensitive comparison form."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def wer(ref: str, hyp: str) -> float:
    r, h = normalise(ref).split(), normalise(hyp).split()
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = d[j]
            d[j] = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev = cur
    return d[len(h)] / max(1, len(r))
