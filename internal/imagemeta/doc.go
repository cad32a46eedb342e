// Package imagemeta writes an XMP packet into PNG, JPEG and WebP files
// without touching their pixel data, so that a saved picture can say what
// it is: AI-generated (the IPTC Digital Source Type), which tool made it,
// when, from which job, and what a publisher adds (alt text, description,
// headline, credit line, copyright notice).
//
// Packet builds the packet from a Marking; Embed puts it into an image,
// replacing any packet already there, and Remove takes it out again; Merge
// builds the packet for a file whose XMP of its own must stay, and Unmerge
// gives that part back. Embed
// is deterministic and idempotent in its result: Embed(Embed(b, p1), p2)
// equals Embed(b, p2), so a marked file can be marked again from itself,
// without the original download.
//
// Where the packet goes:
//   - PNG: an iTXt chunk with the keyword "XML:com.adobe.xmp", right after
//     IHDR, uncompressed.
//   - JPEG: an APP1 segment starting "http://ns.adobe.com/xap/1.0/\x00",
//     after the leading JFIF (APP0) and Exif (APP1) segments.
//   - WebP: a "XMP " chunk; a simple (VP8 or VP8L) file is converted to the
//     extended layout (a VP8X chunk with the XMP flag) that metadata needs.
//
// A format it cannot mark (GIF, or bytes it does not recognize) gives an
// *UnsupportedFormatError, and a file that carries a signed C2PA manifest,
// which any change would invalidate, a *SignedError, so that callers can
// keep the image as it is.
//
// The marking is plain metadata: it is not signed, and any tool that
// rewrites the file may drop it. A signed C2PA manifest would be a separate
// JUMBF box (APP11 in JPEG, caBX chunk in PNG, C2PA chunk in WebP).
package imagemeta
