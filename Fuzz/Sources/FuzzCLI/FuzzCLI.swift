import FuzzDriver
import _AttuneCLI

/// libFuzzer's entry point: the bytes are a command line, arguments separated by NUL bytes; it
/// must parse and validate, or be refused with a message, never crash (numbers of any size,
/// empty and odd flags, invalid UTF-8 repaired by Swift's decoding).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCLI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
    String(decoding: $0, as: UTF8.self)
  }
  _ = Attune.check(arguments)
  return 0
}

/// The executable's entry point under SwiftPM (which links `main` to `<target>_main`).
@_cdecl("FuzzCLI_main")
public func fuzzCLIMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  runFuzzer(argc, argv, fuzzCLI)
}
