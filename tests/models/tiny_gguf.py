"""The tiny random Qwen2 of `tiny_causal.build_tiny_qwen` written as a GGUF file for llama.cpp.

Real GGUF models (Qwen2.5 Q4_K_M) are far too large for the test suite, so the llama.cpp backend is
exercised with this one instead: same architecture (`qwen2`), same tokenizer metadata as
llama.cpp's `convert_hf_to_gguf.py` writes for Qwen2 (gpt2 BPE model, `qwen2` pre-tokenizer,
specials marked CONTROL, eos `<|im_end|>`, pad `<|endoftext|>`, no BOS added) and the ChatML chat
template, only with F32 tensors. As in the converter, Qwen2's Q/K weights are not permuted and the
tied `lm_head` is not written: llama.cpp falls back to `token_embd` for the output projection.
"""

from __future__ import annotations

import json
from pathlib import Path


def write_tiny_gguf(hf_dir: Path, out: Path) -> Path:
    """The tiny Qwen2 of `build_tiny_qwen` as a GGUF file (F32 tensors), tokenizer and chat template included."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    config = json.loads((hf_dir / "config.json").read_text())
    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    rope = config.get("rope_parameters") or {}
    n_layers = config["num_hidden_layers"]

    writer = gguf.GGUFWriter(out, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.QWEN2])
    writer.add_name("tiny-qwen2")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_rope_freq_base(float(rope.get("rope_theta", config.get("rope_theta", 10000.0))))
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)

    # Tokenizer, as convert_hf_to_gguf.py's `_set_vocab_gpt2` + `SpecialVocab` write it for Qwen2.
    vocab = tokenizer.get_vocab()
    by_id = {i: token for token, i in vocab.items()}
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for i in range(config["vocab_size"]):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        else:
            tokens.append(by_id[i])
            special = i in added and added[i].special
            types.append(gguf.TokenType.CONTROL if special else gguf.TokenType.NORMAL)
    merges = json.loads((hf_dir / "tokenizer.json").read_text(encoding="utf-8"))["model"]["merges"]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    writer.add_eos_token_id(vocab["<|im_end|>"])
    writer.add_pad_token_id(vocab["<|endoftext|>"])
    writer.add_bos_token_id(vocab["<|endoftext|>"])  # what real Qwen2.5 GGUFs carry; never added
    writer.add_add_bos_token(False)
    writer.add_chat_template(tokenizer.chat_template)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, n_layers)
    for hf_name, data in sorted(load_file(str(hf_dir / "model.safetensors")).items()):
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no GGUF name for {hf_name}")
        writer.add_tensor(name, np.ascontiguousarray(data, dtype=np.float32))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
