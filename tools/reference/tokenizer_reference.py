"""Reference token ids for test/unit/whisper-tokenizer.test.ts.

Encodes sample texts with the Rust `tokenizers` library (what transformers uses) from a Whisper model
folder's tokenizer.json, without special tokens, and stores the ids, the decoded text and the special
token ids as JSON.

    /tmp/refvenv/bin/pip install tokenizers
    /tmp/refvenv/bin/python tools/reference/tokenizer_reference.py ~/.cache/transcrevai/models/base \
        test/fixtures/whisper/tokenizer-base.json
"""
import json
import os
import sys

from tokenizers import Tokenizer

TEXTS = [
    " And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.",
    " ele atribuiu o empate dos espanhóis à má sorte",
    " A concentração do bolo de recursos em um pequeno grupo aumentou.",
    " Nestor Pestana, 266 — região central; R$ 7,00 cada ingresso!",
    "Olá, tudo bem? Você já viu o relatório de 2024?",
    "  espaços   duplos\te tabs\nlinha nova",
    " café, pão, maçã, ação, coração, São Paulo, Ceará",
    " emoji 🎤 and CJK 日本語 and ß ø",
    " I'm, you're, they'll, it's, we've, don't",
    "",
]

SPECIAL = [
    "<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|pt|>", "<|translate|>", "<|transcribe|>",
    "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|nocaptions|>", "<|notimestamps|>", "<|0.00|>",
]


def main() -> None:
    model_dir, out_path = os.path.expanduser(sys.argv[1]), sys.argv[2]
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    cases = []
    for text in TEXTS:
        ids = tok.encode(text, add_special_tokens=False).ids
        cases.append({"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=True)})
    special = {s: tok.token_to_id(s) for s in SPECIAL}
    with open(out_path, "w") as f:
        json.dump({"model": os.path.basename(model_dir.rstrip("/")), "cases": cases, "special": special}, f, ensure_ascii=False, indent=1)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
