/*
 * gmime_reader: reference reader of homework submissions built on GMime 3.
 *
 *   gmime_reader --json  FILE...   one JSON object per file and line
 *   gmime_reader --bench FILE...   parse + decode + hash every file, timed
 *
 * What is extracted (both modes compute the same thing):
 *   subject      g_mime_message_get_subject (RFC 2047 decoded, UTF-8) or null
 *   from         every mailbox of From (groups flattened): decoded display name
 *                (null when absent or empty), addr-spec
 *   text         the first text/plain leaf that is not an attachment (see below),
 *                else the first such text/html leaf (text_is_html = true), decoded
 *                with its charset to UTF-8 as g_mime_text_part_get_text does (same
 *                filters; NUL bytes kept); or null
 *   attachments  every leaf that is not the chosen text and has
 *                Content-Disposition: attachment, or a file name, or a type
 *                other than text/...; plus every part GMime parses as an embedded
 *                message (message/rfc822, message/news, message/global) as ONE
 *                attachment, not descended into, whose content is its raw body
 *                bytes as found in the input (see "Raw bytes" below).
 *                name (g_mime_part_get_filename, decoded) or null, "type/subtype"
 *                lower case, decoded size, SHA-256 of the decoded bytes. An empty
 *                name counts as no name (null).
 * Strings are made valid UTF-8 (each maximal invalid subsequence -> U+FFFD) before
 * they are printed or hashed.
 *
 * The --bench checksum line (definition shared with bench/gen_submissions.py):
 *   checksum: messages=N attachments=A attachment_bytes=B att_sha256_sum=H
 *             name_sha256_sum=H subject_sha256_sum=H from_sha256_sum=H
 *             text_bytes=T text_sha256_sum=H
 * Each H is a sum modulo 2^256 of SHA-256 digests read as big-endian 256-bit
 * integers (order-independent, duplicates do not cancel), as 64 hex digits:
 *   att      the digest of each attachment's decoded bytes
 *   name     sha256(name UTF-8) for each attachment that has a name
 *   subject  sha256(subject UTF-8) for each message that has a Subject
 *   from     sha256(name UTF-8 + "\0" + address) for each From mailbox (no name: "")
 *   text     sha256(text UTF-8 with every CRLF turned into LF) for each message
 *            that has a text; T is the total length of those normalised texts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <gmime/gmime.h>
#include <openssl/evp.h>

/* ------------------------------------------------------------------------- */
/* A GMimeStream that feeds everything written to it into SHA-256.            */
/* ------------------------------------------------------------------------- */

typedef struct {
	GMimeStream parent;
	EVP_MD_CTX *ctx;
	gint64 nbytes;
} HashStream;

typedef struct {
	GMimeStreamClass parent_class;
} HashStreamClass;

static GType hash_stream_get_type (void);
G_DEFINE_TYPE (HashStream, hash_stream, GMIME_TYPE_STREAM)

static void
hash_stream_init (HashStream *hs)
{
	hs->ctx = EVP_MD_CTX_new ();
	hs->nbytes = 0;
}

static void
hash_stream_finalize (GObject *object)
{
	EVP_MD_CTX_free (((HashStream *) object)->ctx);
	G_OBJECT_CLASS (hash_stream_parent_class)->finalize (object);
}

static ssize_t
hs_read (GMimeStream *stream, char *buf, size_t len)
{
	(void) stream; (void) buf; (void) len;
	errno = EBADF;
	return -1;
}

static ssize_t
hs_write (GMimeStream *stream, const char *buf, size_t len)
{
	HashStream *hs = (HashStream *) stream;
	EVP_DigestUpdate (hs->ctx, buf, len);
	hs->nbytes += (gint64) len;
	stream->position += (gint64) len;
	return (ssize_t) len;
}

static int hs_flush (GMimeStream *stream) { (void) stream; return 0; }
static int hs_close (GMimeStream *stream) { (void) stream; return 0; }
static gboolean hs_eos (GMimeStream *stream) { (void) stream; return FALSE; }
static int hs_reset (GMimeStream *stream) { (void) stream; return 0; }
static gint64 hs_seek (GMimeStream *s, gint64 o, GMimeSeekWhence w) { (void) s; (void) o; (void) w; return -1; }
static gint64 hs_tell (GMimeStream *stream) { return stream->position; }
static gint64 hs_length (GMimeStream *stream) { (void) stream; return -1; }
static GMimeStream *hs_substream (GMimeStream *s, gint64 a, gint64 b) { (void) s; (void) a; (void) b; return NULL; }

static void
hash_stream_class_init (HashStreamClass *klass)
{
	GMimeStreamClass *sc = GMIME_STREAM_CLASS (klass);
	G_OBJECT_CLASS (klass)->finalize = hash_stream_finalize;
	sc->read = hs_read;
	sc->write = hs_write;
	sc->flush = hs_flush;
	sc->close = hs_close;
	sc->eos = hs_eos;
	sc->reset = hs_reset;
	sc->seek = hs_seek;
	sc->tell = hs_tell;
	sc->length = hs_length;
	sc->substream = hs_substream;
}

static HashStream *
hash_stream_new (void)
{
	HashStream *hs = g_object_new (hash_stream_get_type (), NULL);
	g_mime_stream_construct ((GMimeStream *) hs, 0, -1);
	return hs;
}

static void
hash_stream_begin (HashStream *hs)
{
	EVP_DigestInit_ex (hs->ctx, EVP_sha256 (), NULL);
	hs->nbytes = 0;
	((GMimeStream *) hs)->position = 0;
}

static void
hash_stream_end (HashStream *hs, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_DigestFinal_ex (hs->ctx, out, &n);
}

static void
sha256 (const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest (data, len, out, &n, EVP_sha256 (), NULL);
}

/* ------------------------------------------------------------------------- */
/* UTF-8 sanitising and JSON                                                  */
/* ------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or -k where k >= 1 is
 * the length of the maximal invalid subpart to replace by one U+FFFD. */
static int
utf8_seq (const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0x80) return 1;
	if (c >= 0xC2 && c <= 0xDF) len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0) lo = 0xA0;
		if (c == 0xED) hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0) lo = 0x90;
		if (c == 0xF4) hi = 0x8F;
	} else
		return -1;
	for (int i = 1; i < len; i++) {
		if ((size_t) i >= n) return -i;
		unsigned char b = s[i];
		if (b < lo || b > hi) return -i;
		lo = 0x80; hi = 0xBF;
	}
	return len;
}

/* Valid UTF-8 copy of s[0..n). */
static GString *
utf8_clean (const char *s, size_t n)
{
	GString *o = g_string_sized_new (n + 1);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		/* fast path over ASCII and valid runs */
		while (j < n) {
			int k = utf8_seq ((const unsigned char *) s + j, n - j);
			if (k < 0) break;
			j += (size_t) k;
		}
		g_string_append_len (o, s + i, (gssize) (j - i));
		i = j;
		if (i < n) {
			int k = utf8_seq ((const unsigned char *) s + i, n - i);
			g_string_append (o, "\xEF\xBF\xBD");
			i += (size_t) (-k);
		}
	}
	return o;
}

/* Append s (already valid UTF-8) as a JSON string. */
static void
json_str (GString *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	g_string_append_c (o, '"');
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		g_string_append_len (o, s + start, (gssize) (i - start));
		start = i + 1;
		switch (c) {
		case '"': g_string_append (o, "\\\""); break;
		case '\\': g_string_append (o, "\\\\"); break;
		case '\n': g_string_append (o, "\\n"); break;
		case '\r': g_string_append (o, "\\r"); break;
		case '\t': g_string_append (o, "\\t"); break;
		case '\b': g_string_append (o, "\\b"); break;
		case '\f': g_string_append (o, "\\f"); break;
		default:
			g_string_append (o, "\\u00");
			g_string_append_c (o, hex[c >> 4]);
			g_string_append_c (o, hex[c & 15]);
		}
	}
	g_string_append_len (o, s + start, (gssize) (n - start));
	g_string_append_c (o, '"');
}

static void
json_str_or_null (GString *o, const GString *s)
{
	if (s) json_str (o, s->str, s->len);
	else g_string_append (o, "null");
}

static GString *
clean_or_null (const char *s)
{
	return s ? utf8_clean (s, strlen (s)) : NULL;
}

/* display names and file names: absent or empty -> NULL */
static GString *
name_or_null (const char *s)
{
	return (s && *s) ? utf8_clean (s, strlen (s)) : NULL;
}

/* ------------------------------------------------------------------------- */
/* What is extracted from one message                                         */
/* ------------------------------------------------------------------------- */

typedef struct {
	GString *name;          /* NULL: none */
	GString *address;
} Mailbox;

typedef struct {
	GString *name;          /* NULL: none */
	char *type;             /* "type/subtype", lower case */
	gint64 size;
	unsigned char sha[32];
} Attachment;

typedef struct {
	GString *subject;       /* NULL: no Subject header */
	GArray *from;           /* of Mailbox */
	GString *text;          /* NULL: no text body */
	gboolean text_is_html;
	GArray *atts;           /* of Attachment */
} Result;

static void
result_init (Result *r)
{
	memset (r, 0, sizeof *r);
	r->from = g_array_new (FALSE, TRUE, sizeof (Mailbox));
	r->atts = g_array_new (FALSE, TRUE, sizeof (Attachment));
}

static void
gstr_free (GString *s)
{
	if (s) g_string_free (s, TRUE);
}

static void
result_clear (Result *r)
{
	gstr_free (r->subject);
	gstr_free (r->text);
	for (guint i = 0; i < r->from->len; i++) {
		Mailbox *m = &g_array_index (r->from, Mailbox, i);
		gstr_free (m->name);
		gstr_free (m->address);
	}
	for (guint i = 0; i < r->atts->len; i++) {
		Attachment *a = &g_array_index (r->atts, Attachment, i);
		gstr_free (a->name);
		g_free (a->type);
	}
	g_array_free (r->from, TRUE);
	g_array_free (r->atts, TRUE);
	memset (r, 0, sizeof *r);
}

static void
add_mailboxes (Result *r, InternetAddressList *list)
{
	if (!list) return;
	int n = internet_address_list_length (list);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);
		if (INTERNET_ADDRESS_IS_GROUP (ia)) {
			add_mailboxes (r, internet_address_group_get_members ((InternetAddressGroup *) ia));
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX (ia))
			continue;
		Mailbox m;
		const char *name = internet_address_get_name (ia);
		m.name = name_or_null (name);
		const char *addr = internet_address_mailbox_get_addr ((InternetAddressMailbox *) ia);
		m.address = utf8_clean (addr ? addr : "", addr ? strlen (addr) : 0);
		g_array_append_val (r->from, m);
	}
}

static gboolean
is_message_part (GMimeObject *o)
{
	return GMIME_IS_MESSAGE_PART (o);
}

/* "Attachment-like" leaf: disposition attachment, or a file name, or not text/ */
static gboolean
leaf_is_attachment (GMimeObject *o)
{
	GMimePart *part = (GMimePart *) o;
	if (g_mime_part_is_attachment (part))
		return TRUE;
	if (g_mime_part_get_filename (part) != NULL)
		return TRUE;
	GMimeContentType *ct = g_mime_object_get_content_type (o);
	return !g_mime_content_type_is_type (ct, "text", "*");
}

static void
find_text (GMimeObject *o, GMimeObject **plain, GMimeObject **html)
{
	if (*plain) return;
	if (GMIME_IS_MULTIPART (o)) {
		GMimeMultipart *mp = (GMimeMultipart *) o;
		int n = g_mime_multipart_get_count (mp);
		for (int i = 0; i < n && !*plain; i++)
			find_text (g_mime_multipart_get_part (mp, i), plain, html);
		return;
	}
	if (is_message_part (o) || !GMIME_IS_PART (o))
		return;
	if (leaf_is_attachment (o))
		return;
	GMimeContentType *ct = g_mime_object_get_content_type (o);
	if (g_mime_content_type_is_type (ct, "text", "plain"))
		*plain = o;
	else if (!*html && g_mime_content_type_is_type (ct, "text", "html"))
		*html = o;
}

static char *
lower_mime_type (GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type (o);
	char *t = g_mime_content_type_get_mime_type (ct);
	char *l = g_ascii_strdown (t, -1);
	g_free (t);
	return l;
}

/* ------------------------------------------------------------------------- */
/* Raw bytes of message/rfc822 parts                                          */
/*                                                                            */
/* GMime re-serialises an embedded message (LF line ends, mbox "From " line    */
/* dropped), so the raw bytes are located in the input instead: the body of   */
/* each multipart is split at its delimiter lines ("--B", "--B--", optional   */
/* trailing blanks; the line end before a delimiter belongs to it), and each  */
/* part's body starts after its first empty line. The top-level body starts    */
/* after GMime's end of headers.                                              */
/* ------------------------------------------------------------------------- */

typedef struct {
	const char *data;
	size_t len;
	GMimeParser *parser;
	GHashTable *spans;          /* GMimeObject* -> Span* */
	gboolean located;
	int fallbacks;              /* message parts not located in the input */
} Source;

typedef struct { size_t start, end; } Span;

static size_t
after_eol (const char *d, size_t p, size_t e)
{
	if (p < e && d[p] == '\r' && p + 1 < e && d[p + 1] == '\n') return p + 2;
	if (p < e && d[p] == '\n') return p + 1;
	return p;
}

static size_t
line_end (const char *d, size_t p, size_t e)  /* index after the line's '\n' (or e) */
{
	const char *nl = memchr (d + p, '\n', e - p);
	return nl ? (size_t) (nl - d) + 1 : e;
}

/* body start of a part whose header block starts at p */
static size_t
body_start (const char *d, size_t p, size_t e)
{
	while (p < e) {
		if (d[p] == '\n' || (d[p] == '\r' && p + 1 < e && d[p + 1] == '\n'))
			return after_eol (d, p, e);
		p = line_end (d, p, e);
	}
	return e;
}

/* Is the line at p a delimiter of boundary b? Sets *close, *next (start of the next line). */
static gboolean
is_delimiter (const char *d, size_t p, size_t e, const char *b, size_t blen, gboolean *close, size_t *next)
{
	if (e - p < 2 + blen || d[p] != '-' || d[p + 1] != '-' || memcmp (d + p + 2, b, blen) != 0)
		return FALSE;
	size_t q = p + 2 + blen;
	*close = FALSE;
	if (q + 1 < e + 1 && q + 2 <= e && d[q] == '-' && d[q + 1] == '-') { *close = TRUE; q += 2; }
	while (q < e && (d[q] == ' ' || d[q] == '\t')) q++;
	if (q < e && d[q] != '\r' && d[q] != '\n')
		return FALSE;
	if (q < e && d[q] == '\r' && !(q + 1 < e && d[q + 1] == '\n'))
		return FALSE;
	*next = line_end (d, q, e);
	return TRUE;
}

static void
locate (Source *src, GMimeObject *o, size_t s, size_t e)
{
	const char *d = src->data;
	if (GMIME_IS_MESSAGE_PART (o)) {
		Span *sp = g_new (Span, 1);
		sp->start = s; sp->end = e;
		g_hash_table_insert (src->spans, o, sp);
		return;
	}
	if (!GMIME_IS_MULTIPART (o))
		return;
	GMimeMultipart *mp = (GMimeMultipart *) o;
	const char *b = g_mime_multipart_get_boundary (mp);
	if (!b)
		return;
	size_t blen = strlen (b);
	GArray *starts = g_array_new (FALSE, FALSE, sizeof (size_t));
	GArray *ends = g_array_new (FALSE, FALSE, sizeof (size_t));
	gboolean open = FALSE;
	size_t p = s;
	while (p < e) {
		gboolean close;
		size_t next;
		if (is_delimiter (d, p, e, b, blen, &close, &next)) {
			if (open) {
				/* the line end before the delimiter belongs to the delimiter */
				size_t end = p;
				if (end > s && d[end - 1] == '\n') end--;
				if (end > s && d[end - 1] == '\r') end--;
				size_t st = g_array_index (starts, size_t, starts->len - 1);
				if (end < st) end = st;
				g_array_append_val (ends, end);
			}
			if (close) { open = FALSE; break; }
			g_array_append_val (starts, next);
			open = TRUE;
			p = next;
			continue;
		}
		p = line_end (d, p, e);
	}
	if (open)
		g_array_append_val (ends, e);
	int n = g_mime_multipart_get_count (mp);
	if ((int) starts->len == n) {
		for (int i = 0; i < n; i++) {
			size_t st = g_array_index (starts, size_t, i), en = g_array_index (ends, size_t, i);
			locate (src, g_mime_multipart_get_part (mp, i), body_start (d, st, en), en);
		}
	}
	g_array_free (starts, TRUE);
	g_array_free (ends, TRUE);
}

static const Span *
raw_span (Source *src, GMimeMessage *msg, GMimeObject *o)
{
	if (!src->located) {
		src->located = TRUE;
		gint64 he = g_mime_parser_get_headers_end (src->parser);
		size_t s = (he < 0 || (guint64) he > src->len) ? src->len : (size_t) he;
		s = after_eol (src->data, s, src->len);
		locate (src, g_mime_message_get_mime_part (msg), s, src->len);
	}
	return g_hash_table_lookup (src->spans, o);
}

static void
collect_attachments (GMimeObject *o, GMimeObject *text, Result *r, HashStream *hs, Source *src, GMimeMessage *msg)
{
	if (GMIME_IS_MULTIPART (o)) {
		GMimeMultipart *mp = (GMimeMultipart *) o;
		int n = g_mime_multipart_get_count (mp);
		for (int i = 0; i < n; i++)
			collect_attachments (g_mime_multipart_get_part (mp, i), text, r, hs, src, msg);
		return;
	}
	Attachment a;
	memset (&a, 0, sizeof a);
	if (is_message_part (o)) {
		const char *name = g_mime_object_get_content_disposition_parameter (o, "filename");
		if (!name)
			name = g_mime_object_get_content_type_parameter (o, "name");
		a.name = name_or_null (name);
		a.type = lower_mime_type (o);
		const Span *sp = raw_span (src, msg, o);
		hash_stream_begin (hs);
		if (sp) {
			g_mime_stream_write ((GMimeStream *) hs, src->data + sp->start, sp->end - sp->start);
		} else {
			/* not found in the input: fall back to GMime's serialisation */
			GMimeMessage *inner = g_mime_message_part_get_message ((GMimeMessagePart *) o);
			if (inner)
				g_mime_object_write_to_stream ((GMimeObject *) inner, NULL, (GMimeStream *) hs);
			src->fallbacks++;
		}
		hash_stream_end (hs, a.sha);
		a.size = hs->nbytes;
		g_array_append_val (r->atts, a);
		return;
	}
	if (!GMIME_IS_PART (o) || o == text || !leaf_is_attachment (o))
		return;
	GMimePart *part = (GMimePart *) o;
	a.name = name_or_null (g_mime_part_get_filename (part));
	a.type = lower_mime_type (o);
	GMimeDataWrapper *content = g_mime_part_get_content (part);
	hash_stream_begin (hs);
	if (content)
		g_mime_data_wrapper_write_to_stream (content, (GMimeStream *) hs);
	hash_stream_end (hs, a.sha);
	a.size = hs->nbytes;
	g_array_append_val (r->atts, a);
}

static GString *
part_text (GMimeObject *o)
{
	/* What g_mime_text_part_get_text does (decode the transfer encoding, then
	 * convert from the part's charset to UTF-8 when iconv knows the charset,
	 * else keep the bytes), but keeping the length so that a NUL byte does not
	 * cut the text short, and without GLib warnings for unknown charsets. */
	GMimeDataWrapper *content = g_mime_part_get_content ((GMimePart *) o);
	if (!content)
		return g_string_new ("");
	GMimeStream *mem = g_mime_stream_mem_new ();
	const char *charset = g_mime_object_get_content_type_parameter (o, "charset");
	GMimeFilter *filter = charset ? g_mime_filter_charset_new (charset, "utf-8") : NULL;
	if (filter) {
		GMimeStream *filtered = g_mime_stream_filter_new (mem);
		g_mime_stream_filter_add ((GMimeStreamFilter *) filtered, filter);
		g_object_unref (filter);
		g_mime_data_wrapper_write_to_stream (content, filtered);
		g_mime_stream_flush (filtered);
		g_object_unref (filtered);
	} else {
		g_mime_data_wrapper_write_to_stream (content, mem);
	}
	GByteArray *ba = g_mime_stream_mem_get_byte_array ((GMimeStreamMem *) mem);
	GString *s = utf8_clean ((const char *) ba->data, ba->len);
	g_object_unref (mem);
	return s;
}

/* Parse one message held in buf and fill r. The stream takes buf over (no copy);
 * everything, buf included, is freed before returning. FALSE: not a message. */
static gboolean
process (GByteArray *buf, Result *r, HashStream *hs, int *fallbacks)
{
	Source src = { (const char *) buf->data, buf->len, NULL, NULL, FALSE, 0 };
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array (buf);
	g_mime_stream_mem_set_owner ((GMimeStreamMem *) stream, TRUE);
	src.parser = g_mime_parser_new_with_stream (stream);
	g_object_unref (stream);
	GMimeMessage *msg = g_mime_parser_construct_message (src.parser, NULL);
	if (!msg) {
		g_object_unref (src.parser);
		return FALSE;
	}
	src.spans = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
	r->subject = clean_or_null (g_mime_message_get_subject (msg));
	add_mailboxes (r, g_mime_message_get_from (msg));
	GMimeObject *body = g_mime_message_get_mime_part (msg);
	if (body) {
		GMimeObject *plain = NULL, *html = NULL;
		find_text (body, &plain, &html);
		GMimeObject *text = plain ? plain : html;
		if (text) {
			r->text = part_text (text);
			r->text_is_html = (text == html);
		}
		collect_attachments (body, text, r, hs, &src, msg);
	}
	*fallbacks += src.fallbacks;
	g_hash_table_destroy (src.spans);
	g_object_unref (msg);           /* frees the parts ... */
	g_object_unref (src.parser);    /* ... and, with the stream, the input buffer */
	return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Checksum                                                                   */
/* ------------------------------------------------------------------------- */

typedef struct {
	gint64 messages, atts, att_bytes, text_bytes;
	unsigned char att[32], name[32], subject[32], from[32], text[32];
} Checksum;

static void
sum256 (unsigned char acc[32], const unsigned char d[32])
{
	unsigned carry = 0;
	for (int i = 31; i >= 0; i--) {
		unsigned v = (unsigned) acc[i] + d[i] + carry;
		acc[i] = (unsigned char) v;
		carry = v >> 8;
	}
}

static void
sum_sha (unsigned char acc[32], const void *data, size_t len)
{
	unsigned char d[32];
	sha256 (data, len, d);
	sum256 (acc, d);
}

static void
checksum_add (Checksum *c, const Result *r)
{
	c->messages++;
	if (r->subject)
		sum_sha (c->subject, r->subject->str, r->subject->len);
	for (guint i = 0; i < r->from->len; i++) {
		const Mailbox *m = &g_array_index (r->from, Mailbox, i);
		GString *s = g_string_new (m->name ? m->name->str : "");
		g_string_append_len (s, "\0", 1);
		g_string_append_len (s, m->address->str, (gssize) m->address->len);
		sum_sha (c->from, s->str, s->len);
		g_string_free (s, TRUE);
	}
	if (r->text) {
		GString *t = g_string_sized_new (r->text->len);
		const char *p = r->text->str, *end = p + r->text->len;
		while (p < end) {
			const char *cr = memchr (p, '\r', (size_t) (end - p));
			if (!cr) { g_string_append_len (t, p, end - p); break; }
			g_string_append_len (t, p, cr - p);
			if (cr + 1 < end && cr[1] == '\n') { g_string_append_c (t, '\n'); p = cr + 2; }
			else { g_string_append_c (t, '\r'); p = cr + 1; }
		}
		c->text_bytes += (gint64) t->len;
		sum_sha (c->text, t->str, t->len);
		g_string_free (t, TRUE);
	}
	for (guint i = 0; i < r->atts->len; i++) {
		const Attachment *a = &g_array_index (r->atts, Attachment, i);
		c->atts++;
		c->att_bytes += a->size;
		sum256 (c->att, a->sha);
		if (a->name)
			sum_sha (c->name, a->name->str, a->name->len);
	}
}

static void
hex32 (char out[65], const unsigned char d[32])
{
	for (int i = 0; i < 32; i++)
		sprintf (out + 2 * i, "%02x", d[i]);
}

static void
checksum_print (const Checksum *c, FILE *f)
{
	char a[65], n[65], s[65], fr[65], t[65];
	hex32 (a, c->att); hex32 (n, c->name); hex32 (s, c->subject); hex32 (fr, c->from); hex32 (t, c->text);
	fprintf (f, "checksum: messages=%" G_GINT64_FORMAT " attachments=%" G_GINT64_FORMAT
		 " attachment_bytes=%" G_GINT64_FORMAT " att_sha256_sum=%s name_sha256_sum=%s"
		 " subject_sha256_sum=%s from_sha256_sum=%s text_bytes=%" G_GINT64_FORMAT
		 " text_sha256_sum=%s\n",
		 c->messages, c->atts, c->att_bytes, a, n, s, fr, c->text_bytes, t);
}

/* ------------------------------------------------------------------------- */
/* Output                                                                     */
/* ------------------------------------------------------------------------- */

static void
print_json (const char *file, const Result *r, const char *error)
{
	GString *o = g_string_sized_new (4096);
	GString *f = utf8_clean (file, strlen (file));
	g_string_append (o, "{\"file\": ");
	json_str (o, f->str, f->len);
	g_string_free (f, TRUE);
	if (error) {
		g_string_append (o, ", \"error\": ");
		json_str (o, error, strlen (error));
		g_string_append (o, "}\n");
		fwrite (o->str, 1, o->len, stdout);
		g_string_free (o, TRUE);
		return;
	}
	g_string_append (o, ", \"subject\": ");
	json_str_or_null (o, r->subject);
	g_string_append (o, ", \"from\": [");
	for (guint i = 0; i < r->from->len; i++) {
		const Mailbox *m = &g_array_index (r->from, Mailbox, i);
		g_string_append (o, i ? ", {\"name\": " : "{\"name\": ");
		json_str_or_null (o, m->name);
		g_string_append (o, ", \"address\": ");
		json_str_or_null (o, m->address);
		g_string_append_c (o, '}');
	}
	g_string_append (o, "], \"text\": ");
	json_str_or_null (o, r->text);
	g_string_append (o, r->text_is_html ? ", \"text_is_html\": true" : ", \"text_is_html\": false");
	g_string_append (o, ", \"attachments\": [");
	for (guint i = 0; i < r->atts->len; i++) {
		const Attachment *a = &g_array_index (r->atts, Attachment, i);
		char h[65];
		hex32 (h, a->sha);
		g_string_append (o, i ? ", {\"name\": " : "{\"name\": ");
		json_str_or_null (o, a->name);
		g_string_append (o, ", \"type\": ");
		json_str (o, a->type, strlen (a->type));
		g_string_append_printf (o, ", \"size\": %" G_GINT64_FORMAT ", \"sha256\": \"%s\"}", a->size, h);
	}
	g_string_append (o, "]}\n");
	fwrite (o->str, 1, o->len, stdout);
	g_string_free (o, TRUE);
}

/* Whole file into a GByteArray (NULL and errno on failure). */
static GByteArray *
load_file (const char *path)
{
	FILE *f = fopen (path, "rb");
	if (!f) return NULL;
	struct stat st;
	if (fstat (fileno (f), &st) != 0) { fclose (f); return NULL; }
	GByteArray *ba = g_byte_array_sized_new ((guint) st.st_size + 1);
	char buf[65536];
	size_t n;
	while ((n = fread (buf, 1, sizeof buf, f)) > 0)
		g_byte_array_append (ba, (const guint8 *) buf, (guint) n);
	int err = ferror (f);
	fclose (f);
	if (err) { g_byte_array_free (ba, TRUE); errno = EIO; return NULL; }
	return ba;
}

static double
now (void)
{
	struct timespec ts;
	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
usage (void)
{
	fprintf (stderr,
		 "usage: gmime_reader --json FILE...    one JSON object per file and line\n"
		 "       gmime_reader --bench FILE...   timed parse + decode + SHA-256, checksum line\n");
	return 2;
}

int
main (int argc, char **argv)
{
	if (argc < 2)
		return usage ();
	gboolean json = strcmp (argv[1], "--json") == 0;
	gboolean bench = strcmp (argv[1], "--bench") == 0;
	if (!json && !bench)
		return usage ();

	g_mime_init ();
	HashStream *hs = hash_stream_new ();
	Checksum ck;
	memset (&ck, 0, sizeof ck);
	double busy = 0;
	gint64 in_bytes = 0;
	int failures = 0, fallbacks = 0;

	for (int i = 2; i < argc; i++) {
		GByteArray *buf = load_file (argv[i]);
		if (!buf) {
			char msg[512];
			snprintf (msg, sizeof msg, "cannot read: %s", strerror (errno));
			if (json) print_json (argv[i], NULL, msg);
			else fprintf (stderr, "%s: %s\n", argv[i], msg);
			failures++;
			continue;
		}
		gint64 len = buf->len;
		Result r;
		result_init (&r);
		double t0 = now ();
		gboolean ok = process (buf, &r, hs, &fallbacks);   /* frees buf */
		if (bench) {
			if (ok) checksum_add (&ck, &r);
			busy += now () - t0;
			in_bytes += len;
			if (!ok) { fprintf (stderr, "%s: GMime could not parse a message\n", argv[i]); failures++; }
		} else {
			print_json (argv[i], &r, ok ? NULL : "GMime could not parse a message");
			if (!ok) failures++;
		}
		result_clear (&r);
	}

	if (bench) {
		double mb = (double) in_bytes / 1e6;
		printf ("gmime: %" G_GINT64_FORMAT " messages, %.1f MB, %.3f s, %.1f MB/s\n",
			ck.messages, mb, busy, busy > 0 ? mb / busy : 0.0);
		checksum_print (&ck, stdout);
		struct rusage ru;
		getrusage (RUSAGE_SELF, &ru);
		printf ("peak RSS: %.1f MB\n", (double) ru.ru_maxrss / 1024.0);
	}
	if (fallbacks)
		fprintf (stderr, "gmime_reader: %d message/rfc822 part(s) not found in the input bytes; "
			 "hashed GMime's re-serialisation instead\n", fallbacks);
	g_object_unref (hs);
	g_mime_shutdown ();
	fflush (stdout);
	return failures ? 1 : 0;
}
