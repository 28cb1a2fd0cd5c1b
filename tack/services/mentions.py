"""@mentions in comment text: `@Name` and `@"Quoted Name"`."""
import re

MENTION = re.compile(r'(?<![\w@])@(?:"([^"\n]{1,200})"|([A-Za-z0-9_][\w.\-]{0,199}))')


def mentions_in(text: str) -> list[str]:
    """The names mentioned, in order, each once. An e-mail address is not a mention,
    and a sentence's full stop after `@Name.` is not part of the name."""
    found: list[str] = []
    for quoted, bare in MENTION.findall(text or ""):
        name = quoted.strip() if quoted else bare.rstrip(".-")
        if name and name not in found:
            found.append(name)
    return found
