namespace Observe.Dashboard.Demo;

/// <summary>
/// SplitMix64: a tiny, well-distributed generator whose whole state is one number, so every (seed, function, minute,
/// purpose) gets its own reproducible stream. <see cref="Random"/> with a seed is not promised to stay the same
/// across .NET versions, and string.GetHashCode is randomised per process.
/// </summary>
internal struct DemoRandom(ulong state)
{
    private ulong _state = state;

    /// <summary>A stream for one purpose of one key: same arguments, same numbers, in any process.</summary>
    public static DemoRandom For(int seed, int function, long key, DemoPurpose purpose) =>
        new(Mix(Mix(Mix(Mix((ulong)(uint)seed) ^ (ulong)(uint)function) ^ (ulong)key) ^ (ulong)purpose));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max).</summary>
    public int Next(int max) => (int)(NextDouble() * max);

    public double Between(double min, double max) => min + (NextDouble() * (max - min));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Rounds to a whole number, up with probability equal to the fraction, so small expectations still add up right.</summary>
    public double RoundStochastic(double value)
    {
        if (value <= 0)
        {
            return 0;
        }

        var floor = Math.Floor(value);
        return NextDouble() < value - floor ? floor + 1 : floor;
    }

    /// <summary>How many of <paramref name="trials"/> events with probability <paramref name="p"/> happen.</summary>
    public double Binomial(double trials, double p)
    {
        if (trials <= 0 || p <= 0)
        {
            return 0;
        }

        if (trials <= 30)
        {
            var hits = 0;
            for (var i = 0; i < trials; i++)
            {
                if (NextDouble() < p)
                {
                    hits++;
                }
            }

            return hits;
        }

        // The normal approximation is close enough for a demo above 30 trials.
        var mean = trials * p;
        var value = Math.Round(mean + (Math.Sqrt(mean * (1 - p)) * NextGaussian()));
        return Math.Clamp(value, 0, trials);
    }

    public T Pick<T>(IReadOnlyList<(T Item, int Weight)> choices)
    {
        var total = 0;
        foreach (var choice in choices)
        {
            total += choice.Weight;
        }

        var target = Next(total);
        foreach (var (item, weight) in choices)
        {
            if (target < weight)
            {
                return item;
            }

            target -= weight;
        }

        return choices[^1].Item;
    }

    public string Hex(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = "0123456789abcdef"[(int)(NextUInt64() & 15)];
        }

        return new string(chars);
    }

    public Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, NextUInt64());
        BitConverter.TryWriteBytes(bytes[8..], NextUInt64());
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4, as Lambda's request ids are
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>FNV-1a: a stable string hash for fingerprints.</summary>
    public static ulong HashString(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Separate streams per purpose, so adding one kind of figure does not change the others.</summary>
internal enum DemoPurpose
{
    Inventory = 1,
    Traffic = 2,
    Errors = 3,
    Burst = 4,
    ColdStarts = 5,
    Duration = 6,
    Reports = 7,
    Traces = 8,
    ErrorKinds = 9,
    Throttles = 10,
    Variety = 11,
    Insights = 12,
    Inits = 13,
}
