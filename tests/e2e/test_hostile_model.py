"""A GGUF whose chat template is hostile or broken gives one ModelError, never a traceback:
llama-cpp-python renders templates in jinja2's sandbox, and core.llm names the model."""

from __future__ import annotations

import pytest

from core.chat_models import default_gguf
from core.errors import ModelError
from core.llm import LlamaGenerator
from core.settings import PROJECT_ROOT, LLMSettings, Settings
from tests.gguf import with_metadata_string

pytestmark = pytest.mark.e2e

TEMPLATES = {
    # reaches for Python internals: the sandbox refuses at render time
    "hostile": "{{ ''.__class__.__mro__[1].__subclasses__() }}"
               "{% for m in messages %}{{ m.content }}{% endfor %}",
    # does not parse: fails while the model loads
    "broken": "{% for m in messages %}{{ m.content }",
}


@pytest.mark.parametrize("kind", TEMPLATES)
def test_bad_chat_template_is_one_model_error(tmp_path, kind):
    source = default_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"]))
    path = with_metadata_string(source, tmp_path / f"{kind}.gguf", "tokenizer.chat_template",
                                TEMPLATES[kind])
    gen = LlamaGenerator(path, LLMSettings(n_ctx=512))
    try:
        with pytest.raises(ModelError, match=f"{kind}.gguf: its chat template") as exc:
            list(gen.stream_chat([{"role": "user", "content": "Hi"}], max_tokens=4,
                                 temperature=0.0))
        assert ("sandbox forbids" if kind == "hostile" else "is broken") in str(exc.value)
    finally:
        gen.close()
