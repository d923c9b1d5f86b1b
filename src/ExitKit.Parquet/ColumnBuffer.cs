using ExitKit.Schema;
using Parquet;
using Parquet.Schema;

namespace ExitKit.Parquet;

/// <summary>Holds one row group's values of one column in a typed array, so rows are unboxed once and written column-wise.</summary>
internal abstract class ColumnBuffer(DataField field) : IDisposable
{
    public DataField Field { get; } = field;

    /// <summary>An estimate of the bytes the buffered values hold, for rolling parts by size.</summary>
    public long BufferedBytes { get; protected set; }

    public abstract void Add(object? value, int row);

    public abstract Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken);

    public virtual void Clear() => BufferedBytes = 0;

    /// <summary>Takes a whole row group's room at once, for a table known to fill row groups.</summary>
    public abstract void Reserve();

    /// <summary>Gives back pooled memory once the part is written or abandoned.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    protected virtual void Release()
    {
    }

    // Buffers start at this many rows and double up to a row group. A package has twenty tables, most of a few hundred
    // rows, and two sets of whole-row-group arrays for each took 217 MB of zeroed large-object-heap arrays and 18 full
    // collections for an export of one interaction.
    private const int FirstCapacity = 1_024;

    protected static T[] NewValues<T>(int capacity) => new T[Math.Min(capacity, FirstCapacity)];

    /// <summary>Makes room for <paramref name="row"/>: called only when it lies past the end, so the common path is one comparison.</summary>
    protected static void Grow<T>(ref T[] values, int row, int capacity) =>
        Array.Resize(ref values, Math.Min(capacity, Math.Max(row + 1, values.Length * 2)));

    public static ColumnBuffer For(ColumnSchema column, Field field, int capacity) => column.Type switch
    {
        ColumnType.Text or ColumnType.Json => new TextBuffer((DataField)field, capacity),
        ColumnType.Integer => column.Required ? new ValueBuffer<long>((DataField)field, capacity) : new NullableBuffer<long>((DataField)field, capacity),
        ColumnType.Number => column.Required ? new ValueBuffer<double>((DataField)field, capacity) : new NullableBuffer<double>((DataField)field, capacity),
        ColumnType.Boolean => column.Required ? new ValueBuffer<bool>((DataField)field, capacity) : new NullableBuffer<bool>((DataField)field, capacity),
        ColumnType.Timestamp => new TimestampBuffer((DataField)field, capacity, column.Required),
        ColumnType.TextList => new TextListBuffer(((ListField)field).Item as DataField
            ?? throw new InvalidOperationException($"List column {column.Name} has no data item."), capacity),
        _ => throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}."),
    };

    /// <summary>
    /// Copies each text into a reused character arena and keeps only a slice of it, so the connector's string dies young.
    /// </summary>
    /// <remarks>
    /// Holding the strings themselves for a whole row group (20,000 message bodies, twice over while the previous group is
    /// written) carried them through two garbage collections into the oldest generation: GC then took 13 of the sample
    /// export's 32 seconds. Parquet.Net encodes <see cref="ReadOnlyMemory{T}"/> of char as it does strings.
    /// </remarks>
    private sealed class TextBuffer(DataField field, int capacity) : ColumnBuffer(field)
    {
        private ReadOnlyMemory<char>?[] _values = NewValues<ReadOnlyMemory<char>?>(capacity);
        private readonly CharArena _arena = new();

        public override void Add(object? value, int row)
        {
            if (row >= _values.Length)
            {
                Grow(ref _values, row, capacity);
            }
            var text = (string?)value;
            // Typed null: a bare null would become an empty text through ReadOnlyMemory's conversion from arrays.
            _values[row] = text is null ? default(ReadOnlyMemory<char>?) : _arena.Copy(text);
            BufferedBytes += text is null ? 1 : text.Length + 4;
        }

        public override Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken) =>
            writer.WriteAsync<ReadOnlyMemory<char>>(Field, _values.AsMemory(0, rowCount), null, null, cancellationToken);

        public override void Reserve() => Grow(ref _values, capacity - 1, capacity);

        public override void Clear()
        {
            base.Clear();
            Array.Clear(_values);
            _arena.Clear();
        }

        protected override void Release() => _arena.Dispose();
    }

    private sealed class ValueBuffer<T>(DataField field, int capacity) : ColumnBuffer(field) where T : struct
    {
        private T[] _values = NewValues<T>(capacity);

        public override void Add(object? value, int row)
        {
            if (row >= _values.Length)
            {
                Grow(ref _values, row, capacity);
            }
            _values[row] = (T)value!;
            BufferedBytes += 8;
        }

        public override Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken) =>
            writer.WriteAsync<T>(Field, _values.AsMemory(0, rowCount), null, null, cancellationToken);

        public override void Reserve() => Grow(ref _values, capacity - 1, capacity);
    }

    private sealed class NullableBuffer<T>(DataField field, int capacity) : ColumnBuffer(field) where T : struct
    {
        private T?[] _values = NewValues<T?>(capacity);

        public override void Add(object? value, int row)
        {
            if (row >= _values.Length)
            {
                Grow(ref _values, row, capacity);
            }
            _values[row] = (T?)value;
            BufferedBytes += 9;
        }

        public override Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken) =>
            writer.WriteAsync<T>(Field, _values.AsMemory(0, rowCount), null, null, cancellationToken);

        public override void Reserve() => Grow(ref _values, capacity - 1, capacity);
    }

    private sealed class TimestampBuffer(DataField field, int capacity, bool required) : ColumnBuffer(field)
    {
        private DateTime?[] _nullable = required ? [] : NewValues<DateTime?>(capacity);
        private DateTime[] _required = required ? NewValues<DateTime>(capacity) : [];

        public override void Add(object? value, int row)
        {
            BufferedBytes += 8;
            DateTime? utc = value is DateTimeOffset instant ? TruncateToMilliseconds(instant.UtcDateTime) : null;
            if (required)
            {
                if (row >= _required.Length)
                {
                    Grow(ref _required, row, capacity);
                }
                _required[row] = utc!.Value;
            }
            else
            {
                if (row >= _nullable.Length)
                {
                    Grow(ref _nullable, row, capacity);
                }
                _nullable[row] = utc;
            }
        }

        public override void Reserve()
        {
            if (required)
            {
                Grow(ref _required, capacity - 1, capacity);
            }
            else
            {
                Grow(ref _nullable, capacity - 1, capacity);
            }
        }

        // Stored precision is milliseconds; truncating here keeps statistics and values consistent.
        private static DateTime TruncateToMilliseconds(DateTime utc) =>
            new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

        public override Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken) => required
            ? writer.WriteAsync<DateTime>(Field, _required.AsMemory(0, rowCount), null, null, cancellationToken)
            : writer.WriteAsync<DateTime>(Field, _nullable.AsMemory(0, rowCount), null, null, cancellationToken);
    }

    /// <summary>Lists are flattened into element values with Dremel repetition levels; an empty list is one null entry.</summary>
    private sealed class TextListBuffer(DataField item, int capacity) : ColumnBuffer(item)
    {
        // Lists grow by themselves; they start as small as the other buffers.
        private readonly List<ReadOnlyMemory<char>?> _elements = new(Math.Min(capacity, FirstCapacity));
        private readonly List<int> _repetitions = new(Math.Min(capacity, FirstCapacity));
        private readonly CharArena _arena = new();

        public override void Add(object? value, int row)
        {
            var list = (string[]?)value;
            if (list is null || list.Length == 0)
            {
                // The neutral format keeps no null lists: a missing list is written, and read back, as an empty one.
                _elements.Add(default(ReadOnlyMemory<char>?));
                _repetitions.Add(0);
                BufferedBytes += 2;
                return;
            }
            for (var index = 0; index < list.Length; index++)
            {
                _elements.Add(_arena.Copy(list[index]));
                _repetitions.Add(index == 0 ? 0 : 1);
                BufferedBytes += list[index].Length + 4;
            }
        }

        public override Task WriteAsync(ParquetRowGroupWriter writer, int rowCount, CancellationToken cancellationToken) =>
            writer.WriteAsync<ReadOnlyMemory<char>>(Field, _elements.ToArray(), _repetitions.ToArray(), null, cancellationToken);

        public override void Reserve()
        {
            _elements.EnsureCapacity(capacity);
            _repetitions.EnsureCapacity(capacity);
        }

        public override void Clear()
        {
            base.Clear();
            _elements.Clear();
            _repetitions.Clear();
            _arena.Clear();
        }

        protected override void Release() => _arena.Dispose();
    }
}
