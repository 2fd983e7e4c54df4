#include "parsers/html_text.h"

#include <gumbo.h>

#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

namespace schoolmail {
namespace {

// Hostile mail is bounded at four points, each documented in the header:
// - the input is cut at kMaxInput;
// - NestingLimiter drops start tags that would nest deeper than kMaxDepth:
//   gumbo's tree builder does work proportional to the depth of its stack
//   of open elements for most tags, so depth, not size, is what makes it
//   slow (200,000 nested <div>s take minutes);
// - gumbo's memory is capped at kMaxParseMemory: some tag soups make it
//   build a number of nodes quadratic in the input;
// - gumbo's CPU time is capped at kMaxParseSeconds, for tag soup that
//   NestingLimiter's model of the tree builder gets wrong.
// A parse stopped by either cap is retried on a quarter of the input.
constexpr std::size_t kMaxInput = 4u << 20;
constexpr std::size_t kMaxDepth = 256;  // WebKit flattens at 512, Gecko at 200
constexpr std::size_t kMaxParseMemory = 128u << 20;
constexpr long kMaxParseSeconds = 4;
constexpr unsigned kClockEvery = 256;  // allocations between clock reads
constexpr std::size_t kMinRetryInput = 4096;
constexpr int kMaxQuotePrefix = 16;
constexpr int kMaxListIndent = 8;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// The longest prefix of `s` of at most `limit` bytes that does not end
// inside a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s;
  std::size_t cut = limit;
  for (int i = 0; i < 3 && cut > 0 &&
                  (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80;
       ++i) {
    --cut;
  }
  return s.substr(0, cut);
}

// ---------------------------------------------------------------------------
// NestingLimiter: a linear pre-pass that copies the HTML, leaving out start
// tags that would make the parser's stack of open elements deeper than
// kMaxDepth. It models that stack roughly, erring towards deeper: an end
// tag closes an element here only where the HTML tree builder closes it
// too, and formatting elements that the tree builder keeps in its list of
// active formatting elements (and reopens at the next text) still count.
// Ordinary mail never comes near the limit, and then the copy is the input
// unchanged but for one thing: <svg>, <math> and <select> become unknown
// elements (<x-svg>, ...). Gumbo 0.10.1 as Debian builds it has its
// assertions on, and they fail (abort()) on tag soup that mixes SVG or
// MathML content, <select> and tables, e.g. "<table><svg><select><title
// ><select><tr>" or "<table><math><mi><![CDATA[x]]>y"; renamed, those
// parts of its tree builder are never used. Their text is kept.

enum TagClass : unsigned {
  kVoid = 1u << 0,         // no end tag, never on the stack
  kRawText = 1u << 1,      // content is text up to the matching end tag
  kFormatting = 1u << 2,   // HTML's "formatting" elements (b, font, a, ...)
  kSpecial = 1u << 3,      // HTML's "special" elements (div, p, table, ...)
  kScope = 1u << 4,        // ends "has an element in scope" searches
  kMarker = 1u << 5,       // puts a marker in the formatting list
  kClosesP = 1u << 6,      // start tag closes an open <p>
  kNotPushed = 1u << 7,    // start tag merges into an existing element
  kTablePart = 1u << 8,    // ignored outside a table
};

unsigned ClassOf(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_FRAME: case GUMBO_TAG_IMG:
    case GUMBO_TAG_IMAGE: case GUMBO_TAG_INPUT: case GUMBO_TAG_ISINDEX:
    case GUMBO_TAG_KEYGEN: case GUMBO_TAG_LINK: case GUMBO_TAG_MENUITEM:
    case GUMBO_TAG_META: case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR:
      return kVoid | kSpecial;
    case GUMBO_TAG_HR:
      return kVoid | kSpecial | kClosesP;
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TITLE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
      return kRawText | kSpecial;
    case GUMBO_TAG_XMP:
      return kRawText | kSpecial | kClosesP;
    case GUMBO_TAG_PLAINTEXT:  // the rest is text, or ignored in <select>
      return kSpecial | kClosesP;
    case GUMBO_TAG_A: case GUMBO_TAG_B: case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE: case GUMBO_TAG_EM: case GUMBO_TAG_FONT:
    case GUMBO_TAG_I: case GUMBO_TAG_NOBR: case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL: case GUMBO_TAG_STRIKE: case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT: case GUMBO_TAG_U:
      return kFormatting;
    case GUMBO_TAG_HTML:
      return kSpecial | kScope | kNotPushed;
    case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY: case GUMBO_TAG_FRAMESET:
      return kSpecial | kNotPushed;
    case GUMBO_TAG_APPLET: case GUMBO_TAG_MARQUEE: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_TEMPLATE:
      return kSpecial | kScope | kMarker;
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
      return kSpecial | kScope | kMarker | kTablePart;
    case GUMBO_TAG_TABLE:  // closes <p> only in no-quirks mode: taken as not
      return kSpecial | kScope;
    case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR: case GUMBO_TAG_COLGROUP:
      return kSpecial | kTablePart;
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CENTER: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP: case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_UL:
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_PRE: case GUMBO_TAG_LISTING: case GUMBO_TAG_FORM:
    case GUMBO_TAG_LI: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
      return kSpecial | kClosesP;
    case GUMBO_TAG_BUTTON:
      return kSpecial | kScope;  // button scope, taken as scope: deeper
    case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_SELECT:
      return kSpecial;
    default:
      return 0;
  }
}

bool IsHeading(GumboTag tag) {
  return tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3 ||
         tag == GUMBO_TAG_H4 || tag == GUMBO_TAG_H5 || tag == GUMBO_TAG_H6;
}

std::uint64_t Fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603u) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(LowerAscii(c));
    h *= 1099511628211u;
  }
  return h;
}

class NestingLimiter {
 public:
  explicit NestingLimiter(std::string_view in) : in_(in) {}

  std::string Run() {
    out_.reserve(in_.size());
    std::size_t copied = 0;  // in_[copied, pos_) is still to be copied
    while (pos_ < in_.size()) {
      std::size_t lt = in_.find('<', pos_);
      if (lt == std::string_view::npos) break;
      pos_ = lt;
      Token token = NextTag();
      if (token.kind == Token::kEof) break;
      if (token.kind == Token::kStart && !StartTag(token)) {
        out_.append(in_.substr(copied, lt - copied));  // dropped: skip it
        copied = pos_;
        continue;
      }
      if (token.kind == Token::kEnd) EndTag(token);
      if (token.renamed) {
        // "<svg" -> "<x-svg", "</select" -> "</x-select".
        std::size_t name_at = lt + (token.kind == Token::kEnd ? 2 : 1);
        out_.append(in_.substr(copied, name_at - copied));
        out_.append("x-");
        copied = name_at;
      }
    }
    out_.append(in_.substr(copied));
    return std::move(out_);
  }

 private:
  struct Token {
    enum Kind { kText, kStart, kEnd, kOther, kEof } kind = kText;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
    std::uint64_t name = 0;   // hash of the lower-case name
    std::uint64_t attrs = 0;  // hash of the name and the attribute text
    bool renamed = false;  // svg, math, select: see above the class
  };
  struct Entry {
    GumboTag tag;
    std::uint64_t name;
    std::uint64_t attrs;
    std::size_t ghosts_at_open;
  };
  struct Ghost {
    std::uint64_t key;   // name and attributes
    std::uint64_t name;
  };

  // Reads the markup at in_[pos_] == '<' and moves pos_ past it.
  Token NextTag() {
    Token token;
    std::size_t p = pos_ + 1;
    if (p >= in_.size()) {
      pos_ = in_.size();
      return token;  // a lone '<' is text
    }
    char c = in_[p];
    if (c == '!') {
      std::size_t end;
      if (in_.substr(p, 3) == "!--") {
        std::size_t body = p + 3;
        if (in_.substr(body, 1) == ">") {
          end = body;
        } else if (in_.substr(body, 2) == "->") {
          end = body + 1;
        } else {
          end = in_.find("-->", body);
          std::size_t bang = in_.find("--!>", body);
          if (bang < end) end = bang + 1;
          if (end != std::string_view::npos) end += 2;
        }
      } else {
        end = in_.find('>', p);
      }
      pos_ = end == std::string_view::npos ? in_.size() : end + 1;
      token.kind = Token::kOther;
      return token;
    }
    if (c == '?' || (c == '/' && p + 1 < in_.size() && !IsAsciiAlpha(in_[p + 1]))) {
      std::size_t end = in_.find('>', p);
      pos_ = end == std::string_view::npos ? in_.size() : end + 1;
      token.kind = Token::kOther;
      return token;
    }
    bool end_tag = c == '/';
    if (end_tag) ++p;
    if (p >= in_.size() || !IsAsciiAlpha(in_[p])) {
      pos_ = p;
      return token;  // "<" or "</" followed by text
    }
    std::size_t name_start = p;
    while (p < in_.size() && !IsAsciiSpace(in_[p]) && in_[p] != '/' &&
           in_[p] != '>') {
      ++p;
    }
    std::string_view name = in_.substr(name_start, p - name_start);
    std::size_t attrs_start = p;
    // Attributes: quotes count only in values.
    while (true) {
      while (p < in_.size() && (IsAsciiSpace(in_[p]) || in_[p] == '/')) ++p;
      if (p >= in_.size()) {
        token.kind = Token::kEof;  // the parser drops a tag cut by EOF
        return token;
      }
      if (in_[p] == '>') break;
      ++p;  // first character of a name may be anything, even '='
      while (p < in_.size() && !IsAsciiSpace(in_[p]) && in_[p] != '/' &&
             in_[p] != '>' && in_[p] != '=') {
        ++p;
      }
      while (p < in_.size() && IsAsciiSpace(in_[p])) ++p;
      if (p < in_.size() && in_[p] == '=') {
        ++p;
        while (p < in_.size() && IsAsciiSpace(in_[p])) ++p;
        if (p < in_.size() && (in_[p] == '"' || in_[p] == '\'')) {
          std::size_t close = in_.find(in_[p], p + 1);
          if (close == std::string_view::npos) {
            token.kind = Token::kEof;
            return token;
          }
          p = close + 1;
        } else {
          while (p < in_.size() && !IsAsciiSpace(in_[p]) && in_[p] != '>') {
            ++p;
          }
        }
      }
    }
    pos_ = p + 1;
    token.kind = end_tag ? Token::kEnd : Token::kStart;
    token.tag = gumbo_tagn_enum(name.data(), static_cast<unsigned>(name.size()));
    token.name = Fnv1a(name);
    if (token.tag == GUMBO_TAG_SVG || token.tag == GUMBO_TAG_MATH ||
        token.tag == GUMBO_TAG_SELECT) {
      token.renamed = true;
      token.tag = GUMBO_TAG_UNKNOWN;
      token.name = Fnv1a(name, Fnv1a("x-"));
    }
    token.attrs = Fnv1a(in_.substr(attrs_start, p - attrs_start), token.name);
    return token;
  }

  std::size_t Depth() const { return stack_.size() + ghosts_.size(); }

  // Index of the nearest open element for which `is_target` holds, with
  // no element above it for which `is_stop` holds; npos if none.
  template <typename Target, typename Stop>
  std::size_t Find(Target is_target, Stop is_stop) const {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (is_target(stack_[i])) return i;
      if (is_stop(stack_[i].tag)) return std::string_view::npos;
    }
    return std::string_view::npos;
  }

  static bool InScopeBoundary(GumboTag tag) {
    return (ClassOf(tag) & kScope) != 0;
  }

  std::size_t FindInScope(GumboTag tag) const {
    return Find([tag](const Entry& e) { return e.tag == tag; },
                InScopeBoundary);
  }

  // Pops stack_[i] and everything above it. Formatting elements popped
  // implicitly stay in the tree builder's formatting list, so they become
  // ghosts (at most three alike, as the list keeps), unless a marker
  // element popped with them clears them.
  void PopTo(std::size_t i) {
    std::vector<Ghost> popped_formatting;
    while (stack_.size() > i) {
      Entry e = stack_.back();
      stack_.pop_back();
      if (e.tag == GUMBO_TAG_TABLE) --tables_;
      unsigned cls = ClassOf(e.tag);
      if (cls & kMarker) {
        TruncateGhosts(e.ghosts_at_open);
        popped_formatting.clear();
      } else if ((cls & kFormatting) && stack_.size() > i) {
        popped_formatting.push_back({e.attrs, e.name});
      }
    }
    for (const Ghost& ghost : popped_formatting) {
      int& alike = alike_[ghost.key];
      if (alike >= 3) continue;
      ++alike;
      ghosts_.push_back(ghost);
    }
  }

  void TruncateGhosts(std::size_t n) {
    while (ghosts_.size() > n) {
      --alike_[ghosts_.back().key];
      ghosts_.pop_back();
    }
  }

  void Push(const Token& t) {
    if (t.tag == GUMBO_TAG_TABLE) ++tables_;
    stack_.push_back({t.tag, t.name, t.attrs, ghosts_.size()});
  }

  void PushImplicit(GumboTag tag) {
    Token t;
    t.tag = tag;
    Push(t);
  }

  // Returns false when the tag is to be left out. Nothing changes before
  // that decision: a dropped tag has no effect on the parser either.
  bool StartTag(const Token& t) {
    unsigned cls = ClassOf(t.tag);
    if (cls & kRawText) {
      SkipRawText(t.tag);
      return true;
    }
    if (cls & (kVoid | kNotPushed)) return true;
    if ((cls & kTablePart) && tables_ == 0) return true;  // ignored
    if (Depth() + 2 >= kMaxDepth) return false;  // 2: implicit tbody, tr

    // Elements this start tag closes.
    if (cls & kClosesP) {
      std::size_t p = FindInScope(GUMBO_TAG_P);
      if (p != std::string_view::npos) PopTo(p);
    }
    if (IsHeading(t.tag) && !stack_.empty() && IsHeading(stack_.back().tag)) {
      PopTo(stack_.size() - 1);
    }
    switch (t.tag) {
      case GUMBO_TAG_LI:
        CloseListItem([](GumboTag tag) { return tag == GUMBO_TAG_LI; });
        break;
      case GUMBO_TAG_DD: case GUMBO_TAG_DT:
        CloseListItem([](GumboTag tag) {
          return tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT;
        });
        break;
      case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP:
        if (!stack_.empty() && stack_.back().tag == GUMBO_TAG_OPTION) {
          PopTo(stack_.size() - 1);
        }
        break;
      case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        CloseTablePart(
            [](GumboTag tag) {
              return tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH;
            },
            GUMBO_TAG_TR);
        break;
      case GUMBO_TAG_TR:
        CloseTablePart([](GumboTag tag) { return tag == GUMBO_TAG_TR; },
                       GUMBO_TAG_TABLE);
        break;
      case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
        CloseTablePart(
            [](GumboTag tag) {
              return tag == GUMBO_TAG_TBODY || tag == GUMBO_TAG_THEAD ||
                     tag == GUMBO_TAG_TFOOT;
            },
            GUMBO_TAG_TABLE);
        break;
      case GUMBO_TAG_A: case GUMBO_TAG_NOBR:
        FormattingEnd(t);  // a second <a> closes the first
        break;
      case GUMBO_TAG_BUTTON: {
        std::size_t b = FindInScope(GUMBO_TAG_BUTTON);
        if (b != std::string_view::npos) PopTo(b);
        break;
      }
      default:
        break;
    }
    // Table parts the tree builder adds: <table><tr> has a tbody.
    GumboTag top = stack_.empty() ? GUMBO_TAG_UNKNOWN : stack_.back().tag;
    bool in_section = top == GUMBO_TAG_TBODY || top == GUMBO_TAG_THEAD ||
                      top == GUMBO_TAG_TFOOT;
    if ((t.tag == GUMBO_TAG_TR || t.tag == GUMBO_TAG_TD ||
         t.tag == GUMBO_TAG_TH) &&
        top == GUMBO_TAG_TABLE) {
      PushImplicit(GUMBO_TAG_TBODY);
      in_section = true;
    }
    if ((t.tag == GUMBO_TAG_TD || t.tag == GUMBO_TAG_TH) && in_section) {
      PushImplicit(GUMBO_TAG_TR);
    }
    Push(t);
    return true;
  }

  // <li>, <dd>, <dt> close an open item unless a block other than
  // address, div or p is in between.
  template <typename Item>
  void CloseListItem(Item is_item) {
    std::size_t i = Find([&](const Entry& e) { return is_item(e.tag); },
                         [](GumboTag tag) {
                           return (ClassOf(tag) & kSpecial) &&
                                  tag != GUMBO_TAG_ADDRESS &&
                                  tag != GUMBO_TAG_DIV && tag != GUMBO_TAG_P;
                         });
    if (i != std::string_view::npos) PopTo(i);
  }

  template <typename Part>
  void CloseTablePart(Part is_part, GumboTag stop) {
    std::size_t i = Find([&](const Entry& e) { return is_part(e.tag); },
                         [stop](GumboTag tag) {
                           return tag == stop || tag == GUMBO_TAG_TABLE ||
                                  tag == GUMBO_TAG_TEMPLATE ||
                                  tag == GUMBO_TAG_HTML;
                         });
    if (i != std::string_view::npos) PopTo(i);
  }

  // An end tag (or a second start tag) of a formatting element.
  void FormattingEnd(const Token& t) {
    std::size_t i = Find([&t](const Entry& e) { return Same(e, t); },
                         [](GumboTag) { return false; });
    if (i == std::string_view::npos) {
      RemoveGhost(t);  // not open: the tree builder drops it from its list
      return;
    }
    for (std::size_t j = i + 1; j < stack_.size(); ++j) {
      // A block inside: the adoption agency moves nodes around and the
      // depth stays about the same. Keep the model as it is.
      if (ClassOf(stack_[j].tag) & (kSpecial | kScope)) return;
    }
    PopTo(i);
  }

  void RemoveGhost(const Token& t) {
    for (std::size_t g = ghosts_.size(); g-- > 0;) {
      if (ghosts_[g].name == t.name) {
        --alike_[ghosts_[g].key];
        ghosts_.erase(ghosts_.begin() + static_cast<std::ptrdiff_t>(g));
        return;
      }
    }
  }

  static bool Same(const Entry& e, const Token& t) {
    return e.tag == t.tag && (t.tag != GUMBO_TAG_UNKNOWN || e.name == t.name);
  }

  void EndTag(const Token& t) {
    unsigned cls = ClassOf(t.tag);
    if (cls & (kVoid | kNotPushed)) return;
    if (t.tag == GUMBO_TAG_FORM) {
      // </form> takes the form out of the stack, and only the form.
      std::size_t i = FindInScope(GUMBO_TAG_FORM);
      if (i != std::string_view::npos) {
        stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(i));
      }
      return;
    }
    if (cls & kFormatting) {
      FormattingEnd(t);
      return;
    }
    auto same = [&t](const Entry& e) { return Same(e, t); };
    std::size_t i = std::string_view::npos;
    if (t.tag == GUMBO_TAG_TABLE || (cls & kTablePart)) {
      i = Find(same, [](GumboTag tag) {
        return tag == GUMBO_TAG_TABLE || tag == GUMBO_TAG_TEMPLATE ||
               tag == GUMBO_TAG_HTML;
      });
    } else if (t.tag == GUMBO_TAG_LI) {
      i = Find(same, [](GumboTag tag) {
        return InScopeBoundary(tag) || tag == GUMBO_TAG_OL ||
               tag == GUMBO_TAG_UL;
      });
    } else if (cls & kSpecial) {
      i = Find(same, InScopeBoundary);
    } else {
      // Any other element closes only when no special element is above it.
      i = Find(same, [](GumboTag tag) {
        return (ClassOf(tag) & (kSpecial | kScope)) != 0;
      });
    }
    if (i != std::string_view::npos) PopTo(i);
  }

  void SkipRawText(GumboTag tag) {
    const char* name = gumbo_normalized_tagname(tag);
    std::string_view n(name);
    std::size_t p = pos_;
    while (true) {
      std::size_t lt = in_.find("</", p);
      if (lt == std::string_view::npos) {
        pos_ = in_.size();
        return;
      }
      std::size_t after = lt + 2 + n.size();
      if (StartsWithIgnoreCase(in_.substr(lt + 2), n) &&
          (after >= in_.size() || IsAsciiSpace(in_[after]) ||
           in_[after] == '/' || in_[after] == '>')) {
        pos_ = lt;  // the end tag is read as a tag next
        return;
      }
      p = lt + 2;
    }
  }

  std::string_view in_;
  std::string out_;
  std::size_t pos_ = 0;
  int tables_ = 0;  // open <table> elements
  std::vector<Entry> stack_;
  std::vector<Ghost> ghosts_;  // formatting elements closed implicitly
  std::unordered_map<std::uint64_t, int> alike_;
};

// ---------------------------------------------------------------------------
// Gumbo's memory, counted. Every block gumbo takes is on a list, so that a
// parse abandoned half-way (longjmp out of the allocator when the budget is
// spent; gumbo is C and keeps no state outside its output) can be freed.

struct alignas(std::max_align_t) BlockHeader {
  BlockHeader* prev;
  BlockHeader* next;
  std::size_t size;
};

struct ParseMemory {
  BlockHeader blocks{&blocks, &blocks, 0};  // circular list, sentinel
  std::size_t live = 0;
  std::size_t limit = kMaxParseMemory;
  std::jmp_buf* escape = nullptr;  // set only while gumbo parses
  unsigned allocations = 0;
  timespec deadline{};  // thread CPU time

  ParseMemory() = default;
  ParseMemory(const ParseMemory&) = delete;
  ParseMemory& operator=(const ParseMemory&) = delete;
  ~ParseMemory() { FreeAll(); }

  void FreeAll() {
    while (blocks.next != &blocks) {
      BlockHeader* block = blocks.next;
      blocks.next = block->next;
      std::free(block);
    }
    blocks.prev = &blocks;
    live = 0;
  }
};

// No C++ object with a destructor lives in these two frames, so leaving
// them by longjmp is defined.
void* GumboAllocate(void* userdata, std::size_t size) {
  auto* memory = static_cast<ParseMemory*>(userdata);
  // Blocks are counted with their header, as most of them are small.
  if (memory->escape != nullptr) {
    if (size > memory->limit - std::min(memory->limit,
                                        memory->live + sizeof(BlockHeader))) {
      std::longjmp(*memory->escape, 1);
    }
    // Gumbo allocates for every token, so the clock is read often enough.
    if (++memory->allocations % kClockEvery == 0) {
      timespec now{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
      if (now.tv_sec > memory->deadline.tv_sec ||
          (now.tv_sec == memory->deadline.tv_sec &&
           now.tv_nsec > memory->deadline.tv_nsec)) {
        std::longjmp(*memory->escape, 1);
      }
    }
  }
  void* raw = std::malloc(sizeof(BlockHeader) + size);
  if (raw == nullptr) {
    if (memory->escape != nullptr) std::longjmp(*memory->escape, 1);
    std::abort();  // not reached: gumbo allocates only while parsing
  }
  auto* block = static_cast<BlockHeader*>(raw);
  block->size = size;
  block->next = &memory->blocks;
  block->prev = memory->blocks.prev;
  memory->blocks.prev->next = block;
  memory->blocks.prev = block;
  memory->live += sizeof(BlockHeader) + size;
  return block + 1;
}

void GumboDeallocate(void* userdata, void* ptr) {
  if (ptr == nullptr) return;
  auto* memory = static_cast<ParseMemory*>(userdata);
  BlockHeader* block = static_cast<BlockHeader*>(ptr) - 1;
  block->prev->next = block->next;
  block->next->prev = block->prev;
  memory->live -= sizeof(BlockHeader) + block->size;
  std::free(block);
}

// gumbo_parse_with_options, or nullptr when the memory or time ran out.
GumboOutput* ParseWithin(ParseMemory* memory, const GumboOptions* options,
                         const char* data, std::size_t size) {
  std::jmp_buf escape;
  memory->allocations = 0;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &memory->deadline);
  memory->deadline.tv_sec += kMaxParseSeconds;
  memory->escape = &escape;
  if (setjmp(escape) != 0) {
    memory->escape = nullptr;
    return nullptr;
  }
  GumboOutput* output = gumbo_parse_with_options(options, data, size);
  memory->escape = nullptr;
  return output;
}

// ---------------------------------------------------------------------------
// TextWriter: lines of text with lazy line breaks, so that nothing dangles
// at the end and blank lines never pile up.

class TextWriter {
 public:
  // Collapsible text: runs of ASCII whitespace are one space; U+00A0 is a
  // space that is not collapsed. A word of U+00A0 alone opens a line (so
  // "<div>&nbsp;</div>" is an empty line) but is not a cell of its own.
  void Text(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
      if (IsAsciiSpace(text[i])) {
        space_ = true;
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < text.size() && !IsAsciiSpace(text[j])) ++j;
      std::string_view word = text.substr(i, j - i);
      i = j;
      if (!IsNbspOnly(word)) {
        BeginContent();
        AppendNbspAsSpace(word);
      } else if (!started_ || pending_ > 0) {
        BeginContent();
      } else if (!separator_) {
        BeginContent();
        out_.append(word.size() / 2, ' ');
      }
    }
  }

  // Preformatted text: kept as it is, each LF a line break.
  void PreText(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t nl = text.find('\n', i);
      std::size_t end = nl == std::string_view::npos ? text.size() : nl;
      if (end > i) {
        BeginContent();
        AppendNbspAsSpace(text.substr(i, end - i));
      }
      if (nl == std::string_view::npos) break;
      LineBreak();
      i = nl + 1;
    }
  }

  void Space() { space_ = true; }

  // Visible text that is never split or collapsed: "[alt]", "---", "- ".
  void Content(std::string_view text) {
    BeginContent();
    out_.append(text);
  }

  // A list marker: the item's first block continues on the marker's line.
  void Marker(std::string_view text) {
    Content(text);
    marker_open_ = true;
  }
  void EndMarker() { marker_open_ = false; }

  // Appends to the last written line even if a line break is pending.
  void AppendToLine(std::string_view text) {
    if (!started_) {
      Content(text);
      return;
    }
    out_.append(text);
  }

  void BreakLine() { Break(1); }
  void BreakParagraph() { Break(2); }

  // <br>: ends the line; at the start of a line it makes an empty line.
  void LineBreak() {
    marker_open_ = false;
    pending_ = pending_ >= 1 ? 2 : 1;
    space_ = false;
    separator_ = false;
  }

  // Between table cells: " | " if the next cell goes on the same line.
  void CellSeparator() { separator_ = true; }

  void EnterQuote() { ++quote_; }
  void LeaveQuote() { --quote_; }

  // Link text capture: where the first content after BeginCapture went.
  void BeginCapture() {
    captures_.push_back(std::string::npos);
    ++unstarted_;
  }
  std::size_t EndCapture() {
    std::size_t start = captures_.back();
    captures_.pop_back();
    if (start == std::string::npos) --unstarted_;
    return start;
  }
  std::string_view Since(std::size_t start) const {
    return std::string_view(out_).substr(start);
  }
  // Replaces what was written since `start` (on the current line) by `text`.
  void ReplaceSince(std::size_t start, std::string_view text) {
    out_.resize(start);
    out_.append(text);
  }

  std::string Take() { return std::move(out_); }

 private:
  void Break(int kind) {
    if (marker_open_) return;
    pending_ = std::max(pending_, kind);
    space_ = false;
    separator_ = false;
  }

  void AppendPrefix(int depth) {
    for (int i = 0; i < std::min(depth, kMaxQuotePrefix); ++i) out_ += "> ";
  }

  void BeginContent() {
    if (!started_ || pending_ > 0) {
      if (started_) {
        out_ += '\n';
        if (pending_ == 2) {
          AppendPrefix(std::min(line_quote_, quote_));
          out_ += '\n';
        }
      }
      AppendPrefix(quote_);
      line_quote_ = quote_;
      started_ = true;
      pending_ = 0;
    } else if (separator_) {
      out_ += " | ";
    } else if (space_) {
      out_ += ' ';
    }
    space_ = false;
    separator_ = false;
    marker_open_ = false;
    for (std::size_t i = captures_.size(); unstarted_ > 0 && i-- > 0;) {
      if (captures_[i] != std::string::npos) break;
      captures_[i] = out_.size();
      --unstarted_;
    }
  }

  static bool IsNbspOnly(std::string_view word) {
    for (std::size_t i = 0; i + 1 < word.size(); i += 2) {
      if (word.substr(i, 2) != "\xC2\xA0") return false;
    }
    return word.size() % 2 == 0;
  }

  void AppendNbspAsSpace(std::string_view word) {
    std::size_t i = 0;
    while (true) {
      std::size_t nbsp = word.find("\xC2\xA0", i);
      if (nbsp == std::string_view::npos) break;
      out_.append(word.substr(i, nbsp - i));
      out_ += ' ';
      i = nbsp + 2;
    }
    out_.append(word.substr(i));
  }

  std::string out_;
  bool started_ = false;   // a line has been begun
  int pending_ = 0;        // 1: line break before next content; 2: blank line
  bool space_ = false;     // a collapsed space before next content
  bool separator_ = false; // a cell separator before next content
  bool marker_open_ = false;
  int quote_ = 0;
  int line_quote_ = 0;     // quote depth of the last begun line
  std::vector<std::size_t> captures_;
  std::size_t unstarted_ = 0;
};

// ---------------------------------------------------------------------------
// Links.

struct LinkTarget {
  bool shown = false;   // false: show the text only
  bool mail = false;
  std::string target;   // the URL, or the address of a mailto: link
};

LinkTarget ClassifyHref(std::string_view href) {
  // As browsers read href: outer spaces and controls go, tabs and line
  // breaks inside go too.
  std::string url;
  for (char c : href) {
    if (c != '\t' && c != '\n' && c != '\r') url += c;
  }
  std::size_t first = 0;
  while (first < url.size() && static_cast<unsigned char>(url[first]) <= 0x20) {
    ++first;
  }
  std::size_t last = url.size();
  while (last > first && static_cast<unsigned char>(url[last - 1]) <= 0x20) {
    --last;
  }
  url = url.substr(first, last - first);
  LinkTarget link;
  if (url.empty() || url[0] == '#') return link;
  std::size_t colon = url.find(':');
  std::string scheme;
  if (colon != std::string::npos && colon > 0 && IsAsciiAlpha(url[0])) {
    scheme = url.substr(0, colon);
    bool valid = true;
    for (char& c : scheme) {
      c = LowerAscii(c);
      if (!IsAsciiAlpha(c) && !(c >= '0' && c <= '9') && c != '+' &&
          c != '-' && c != '.') {
        valid = false;
      }
    }
    if (!valid) scheme.clear();
  }
  if (scheme == "javascript" || scheme == "vbscript" || scheme == "data") {
    return link;
  }
  if (scheme == "mailto") {
    std::string address = url.substr(colon + 1);
    address = address.substr(0, address.find('?'));
    if (address.empty()) return link;
    link.shown = true;
    link.mail = true;
    link.target = std::move(address);
    return link;
  }
  link.shown = true;
  link.target = std::move(url);
  return link;
}

// URL or address as compared with link text: lower case, without a leading
// http:// or https:// (or mailto:), without one trailing slash.
std::string ComparableUrl(std::string_view s) {
  for (std::string_view scheme : {"http://", "https://", "mailto:"}) {
    if (StartsWithIgnoreCase(s, scheme)) {
      s.remove_prefix(scheme.size());
      break;
    }
  }
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool TextIsUrl(std::string_view text, std::string_view url) {
  // Cheap bound first: link text is long in hostile input only.
  if (text.size() > url.size() + 16) return false;
  if (text.find('\n') != std::string_view::npos) return false;
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return ComparableUrl(text) == ComparableUrl(url);
}

// ---------------------------------------------------------------------------
// The tree walk, with an explicit stack.

bool IsHtml(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT &&
         node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

std::string_view Attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* attr =
      gumbo_get_attribute(&node->v.element.attributes, name);
  return attr == nullptr || attr->value == nullptr ? std::string_view()
                                                    : attr->value;
}

// An integer attribute ("start", "value"), or `fallback`.
long IntAttribute(const GumboNode* node, const char* name, long fallback) {
  std::string_view s = Attribute(node, name);
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s.empty() || s.front() < '0' || s.front() > '9') return fallback;
  long value = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    value = std::min(value * 10 + (s.front() - '0'), 1000000000L);
    s.remove_prefix(1);
  }
  return negative ? -value : value;
}

bool HasMsoClass(const GumboNode* node) {
  std::string_view classes = Attribute(node, "class");
  std::size_t i = 0;
  while (i < classes.size()) {
    while (i < classes.size() && IsAsciiSpace(classes[i])) ++i;
    if (classes.substr(i, 3) == "Mso") return true;
    while (i < classes.size() && !IsAsciiSpace(classes[i])) ++i;
  }
  return false;
}

bool Skipped(const GumboNode* node) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_HEAD: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_DATALIST:
      return true;
    default:
      return false;
  }
}

bool IsLineBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HTML: case GUMBO_TAG_BODY: case GUMBO_TAG_DIV:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_MENU:
    case GUMBO_TAG_DIR: case GUMBO_TAG_TABLE: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV: case GUMBO_TAG_HGROUP: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_PRE: case GUMBO_TAG_LISTING:
    case GUMBO_TAG_XMP: case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_LI: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_MARQUEE:
      return true;
    default:
      return false;
  }
}

bool IsPreformatted(GumboTag tag) {
  return tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_LISTING ||
         tag == GUMBO_TAG_XMP || tag == GUMBO_TAG_PLAINTEXT ||
         tag == GUMBO_TAG_TEXTAREA;
}

class TreeWalker {
 public:
  std::string Walk(const GumboNode* root) {
    std::vector<Frame> stack;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const GumboVector* children = Children(frame.node);
      if (children == nullptr || frame.next_child >= children->length) {
        if (IsHtml(frame.node)) Close(frame.node);
        stack.pop_back();
        continue;
      }
      const auto* child =
          static_cast<const GumboNode*>(children->data[frame.next_child++]);
      switch (child->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
          if (pre_ > 0) {
            writer_.PreText(child->v.text.text);
          } else {
            writer_.Text(child->v.text.text);
          }
          break;
        case GUMBO_NODE_WHITESPACE:
          if (pre_ > 0) {
            writer_.PreText(child->v.text.text);
          } else {
            writer_.Space();
          }
          break;
        case GUMBO_NODE_ELEMENT:
          if (Skipped(child)) break;
          if (IsHtml(child)) Open(child);
          stack.push_back({child, 0});  // `frame` is invalid from here
          break;
        default:  // document, comment, template
          break;
      }
    }
    return writer_.Take();
  }

 private:
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
  };
  struct List {
    bool ordered;
    long next;
  };

  static const GumboVector* Children(const GumboNode* node) {
    if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
    if (node->type == GUMBO_NODE_ELEMENT) return &node->v.element.children;
    return nullptr;
  }

  void Open(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_P) {
      if (HasMsoClass(node)) {
        writer_.BreakLine();
      } else {
        writer_.BreakParagraph();
      }
    } else if (IsHeading(tag)) {
      writer_.BreakParagraph();
    } else if (IsLineBlock(tag)) {
      writer_.BreakLine();
    }
    switch (tag) {
      case GUMBO_TAG_BR:
        writer_.LineBreak();
        break;
      case GUMBO_TAG_HR:
        writer_.BreakLine();
        writer_.Content("---");
        writer_.BreakLine();
        break;
      case GUMBO_TAG_IMG:
      case GUMBO_TAG_IMAGE: {
        std::string alt;
        for (char c : Attribute(node, "alt")) {
          if (IsAsciiSpace(c)) {
            if (!alt.empty() && alt.back() != ' ') alt += ' ';
          } else {
            alt += c;
          }
        }
        if (!alt.empty() && alt.back() == ' ') alt.pop_back();
        if (!alt.empty()) writer_.Content("[" + alt + "]");
        break;
      }
      case GUMBO_TAG_A:
        if (ClassifyHref(Attribute(node, "href")).shown) {
          writer_.BeginCapture();
        }
        break;
      case GUMBO_TAG_BLOCKQUOTE:
        writer_.EnterQuote();
        break;
      case GUMBO_TAG_UL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR:
        lists_.push_back({false, 1});
        break;
      case GUMBO_TAG_OL:
        lists_.push_back({true, IntAttribute(node, "start", 1)});
        break;
      case GUMBO_TAG_LI: {
        std::string marker(
            2 * std::min<std::size_t>(
                    lists_.empty() ? 0 : lists_.size() - 1, kMaxListIndent),
            ' ');
        if (!lists_.empty() && lists_.back().ordered) {
          long n = IntAttribute(node, "value", lists_.back().next);
          lists_.back().next = std::min(n + 1, 1000000000L);
          marker += std::to_string(n) + ". ";
        } else {
          marker += "- ";
        }
        writer_.Marker(marker);
        break;
      }
      case GUMBO_TAG_TR:
        cells_.push_back(0);
        break;
      case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        if (!cells_.empty() && cells_.back()++ > 0) writer_.CellSeparator();
        break;
      default:
        break;
    }
    if (IsPreformatted(tag)) ++pre_;
  }

  void Close(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    switch (tag) {
      case GUMBO_TAG_A: {
        LinkTarget link = ClassifyHref(Attribute(node, "href"));
        if (!link.shown) break;
        std::size_t start = writer_.EndCapture();
        if (start == std::string::npos) {
          writer_.Content(link.target);
        } else if (TextIsUrl(writer_.Since(start), link.target)) {
          writer_.ReplaceSince(start, link.target);
        } else {
          writer_.AppendToLine(" (" + link.target + ")");
        }
        break;
      }
      case GUMBO_TAG_BLOCKQUOTE:
        writer_.BreakLine();
        writer_.LeaveQuote();
        break;
      case GUMBO_TAG_UL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR:
      case GUMBO_TAG_OL:
        if (!lists_.empty()) lists_.pop_back();
        break;
      case GUMBO_TAG_LI:
        writer_.EndMarker();
        break;
      case GUMBO_TAG_TR:
        if (!cells_.empty()) cells_.pop_back();
        break;
      default:
        break;
    }
    if (IsPreformatted(tag) && pre_ > 0) --pre_;
    if (tag == GUMBO_TAG_P) {
      if (HasMsoClass(node)) {
        writer_.BreakLine();
      } else {
        writer_.BreakParagraph();
      }
    } else if (IsHeading(tag)) {
      writer_.BreakParagraph();
    } else if (IsLineBlock(tag)) {
      writer_.BreakLine();
    }
  }

  TextWriter writer_;
  std::vector<List> lists_;
  std::vector<int> cells_;
  int pre_ = 0;
};

// ---------------------------------------------------------------------------
// Final pass: valid UTF-8 without control characters, lines without
// trailing blanks, at most one blank line in a row, none at either end.

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned b1 = byte(1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned b1 = byte(1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // beyond U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

std::string Tidy(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::string line;
  bool blank_pending = false;
  auto flush_line = [&] {
    std::size_t end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    line.resize(end);
    if (line.empty()) {
      blank_pending = !out.empty();
    } else {
      if (!out.empty()) out += blank_pending ? "\n\n" : "\n";
      blank_pending = false;
      out += line;
    }
    line.clear();
  };
  std::size_t i = 0;
  while (i < raw.size()) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '\n') {
      flush_line();
      ++i;
      continue;
    }
    std::size_t n = Utf8SequenceLength(raw, i);
    if (n == 0) {
      line += kReplacement;
      ++i;
      continue;
    }
    if (n == 1 && ((c < 0x20 && c != '\t') || c == 0x7F)) {
      ++i;  // NUL, CR and other controls
      continue;
    }
    line.append(raw.substr(i, n));
    i += n;
  }
  flush_line();
  return out;
}

std::string Convert(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  // Gumbo copies its whole stack of open elements into every parse error it
  // records: quadratic on deep input, and we read no errors.
  options.max_errors = 0;
  ParseMemory memory;
  options.allocator = GumboAllocate;
  options.deallocator = GumboDeallocate;
  options.userdata = &memory;

  std::string_view input = Utf8Prefix(html, kMaxInput);
  while (true) {
    std::string limited = NestingLimiter(input).Run();
    GumboOutput* output =
        ParseWithin(&memory, &options, limited.data(), limited.size());
    if (output != nullptr) {
      std::string text = TreeWalker().Walk(output->document);
      gumbo_destroy_output(&options, output);
      memory.FreeAll();
      return Tidy(text);
    }
    memory.FreeAll();
    if (input.size() <= kMinRetryInput) return std::string();
    input = Utf8Prefix(input, input.size() / 4);
  }
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  try {
    return Convert(html);
  } catch (...) {  // std::bad_alloc from our own strings
    return std::string();
  }
}

}  // namespace schoolmail
