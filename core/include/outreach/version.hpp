#pragma once
// The plugin ABI contract. Bump OUTREACH_API_VERSION whenever any type in
// core/include/outreach/ changes layout or a virtual function is added, removed
// or reordered: the host refuses plugins built against another number.
#define OUTREACH_API_VERSION 4
#define OUTREACH_VERSION_STRING "0.1.0"

#if defined(OUTREACH_BUILDING_CORE) || defined(__GNUC__)
#define OUTREACH_EXPORT __attribute__((visibility("default")))
#else
#define OUTREACH_EXPORT
#endif
