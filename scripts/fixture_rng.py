"""The seeded PRNG shared by the engine fixtures and the TypeScript engine tests.

Pure Python, no dependencies, so the spec below is the whole story:

    fnv1a32(bytes):  h = 0x811C9DC5; for each byte b: h ^= b; h = (h * 0x01000193) mod 2**32
    xorshift32:      state s (uint32, s != 0)
                     next(): s ^= (s << 13) mod 2**32; s ^= s >> 17; s ^= (s << 5) mod 2**32; return s
    uniform():       next() / 4294967296.0          (exact in float64, in [0, 1))
    stream(seed, label):
                     s = fnv1a32(utf8(label)) ^ ((seed * 0x9E3779B1) mod 2**32); if s == 0: s = 1
                     then discard 4 values (call next() 4 times)

A tensor of shape S drawn from stream(seed, label) holds, in C (row-major) order,
    2 * uniform() - 1                       (labels "input0", "input1", ..., "R", "weight", "bias",
                                             "running_mean")
    0.5 + uniform()                         (label "running_var")

In TypeScript: `Math.imul(seed, 0x9E3779B1) >>> 0` for the seed product, `Math.imul(h, 0x01000193) >>> 0`
in fnv1a32, and `>>> 0` after every xorshift step (`s ^= s << 13; s >>>= 0` etc.; `s >>> 17` for
the right shift).
"""

MASK32 = 0xFFFFFFFF


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & MASK32
    return h


class Stream(object):
    def __init__(self, seed, label):
        s = fnv1a32(label.encode("utf8")) ^ ((seed * 0x9E3779B1) & MASK32)
        if s == 0:
            s = 1
        self.s = s
        for _ in range(4):
            self.next()

    def next(self):
        s = self.s
        s ^= (s << 13) & MASK32
        s ^= s >> 17
        s ^= (s << 5) & MASK32
        self.s = s
        return s

    def uniform(self):
        return self.next() / 4294967296.0


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def symmetric(seed, label, count):
    """`count` values 2*uniform()-1 from stream(seed, label): inputs, R, weight, bias, running_mean."""
    st = Stream(seed, label)
    return [2.0 * st.uniform() - 1.0 for _ in range(count)]


def running_var(seed, count):
    """`count` values 0.5+uniform() from stream(seed, "running_var")."""
    st = Stream(seed, "running_var")
    return [0.5 + st.uniform() for _ in range(count)]


def raw(seed, label, count):
    """The first `count` uint32 outputs of stream(seed, label) (after the 4 discarded ones)."""
    st = Stream(seed, label)
    return [st.next() for _ in range(count)]
