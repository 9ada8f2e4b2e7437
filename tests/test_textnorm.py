"""textnorm: the fast NFKC equals unicodedata's."""


def test_nfkc_is_unicodedata_nfkc():
    import random
    import unicodedata

    from fireaudit.textnorm import nfkc

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
             and (unicodedata.decomposition(chr(c)) or unicodedata.combining(chr(c)))]
    assert all(nfkc(c) == unicodedata.normalize("NFKC", c) for c in chars)
    marks = [chr(c) for c in range(0x300, 0x370)] + ["\u3099", "\u309a", "\u0f71", "\u0f72", "\u09be", "\u0b3e"]
    bases = list("aeouAnNcCsSyw；，（１２") + ["\u3046", "\u30a6", "\u09c7", "\u0b47", "\u1100", "\u1161", "\u11a8",
                                          "\uac00", "\u017f", "\u212b", "\u00a8", "\u2460", "\uff21", "消"]
    rng = random.Random(19)
    for _ in range(20_000):
        text = "".join(rng.choice(bases) + "".join(rng.choice(marks) for _ in range(rng.randrange(4)))
                       for _ in range(rng.randrange(1, 5)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
