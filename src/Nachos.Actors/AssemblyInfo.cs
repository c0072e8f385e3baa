namespace Nachos.Actors; internal static class Placeholder { }
