import Attune
import Foundation
import FuzzDriver

/// libFuzzer's entry point: read the bytes as a wisdom file; every entry that parses must give
/// a kernel or a typed error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWisdom(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(UnsafeBufferPointer(start: data, count: size))
  guard let entries = try? WisdomStore.entries(in: bytes, source: "fuzz") else { return 0 }
  for entry in entries {
    _ = try? entry.makeKernel()
    _ = entry.configurationDescription
    _ = entry.shapeClass.description
  }
  return 0
}

/// The executable's entry point under SwiftPM (which links `main` to `<target>_main`).
@_cdecl("FuzzWisdom_main")
public func fuzzWisdomMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  runFuzzer(argc, argv, fuzzWisdom)
}
