namespace ExitKit.Parquet; internal static class Placeholder {}
