// Content to and from client_content.proto. Plaintext passes through the
// generated message's std::string fields; they are wiped before the message
// is destroyed (best effort: protobuf may copy while parsing).
#include <hush/client/content/content.hpp>
#include <hush/client/content/padding.hpp>

#include "client_content.pb.h"

#include <cstring>

namespace hush::client::content {

namespace pb = hush::client_content;

namespace {

/// Wipes the text of a parsed or built message before it is destroyed.
struct TextWiper {
  pb::Content& message;
  ~TextWiper() {
    if (message.has_text()) {
      std::string* s = message.mutable_text()->mutable_text();
      secure_wipe(s->data(), s->size());
    }
  }
};

Result<Receipt> receipt_from(const pb::Receipt& r) {
  Receipt out;
  switch (r.kind()) {
    case pb::Receipt::DELIVERED: out.kind = Receipt::Kind::delivered; break;
    case pb::Receipt::READ: out.kind = Receipt::Kind::read; break;
    default: return make_error(Errc::invalid_message, "receipt kind");
  }
  if (r.message_ids_size() == 0 || static_cast<std::size_t>(r.message_ids_size()) > kMaxReceiptIds) {
    return make_error(Errc::invalid_message, "receipt id count");
  }
  out.message_ids.reserve(static_cast<std::size_t>(r.message_ids_size()));
  for (const std::string& id : r.message_ids()) {
    HUSH_TRY_ASSIGN(auto parsed, MessageId::from(as_bytes(id)));
    out.message_ids.push_back(parsed);
  }
  return out;
}

}  // namespace

namespace {

Status build(const Content& content, pb::Content& message) {
  message.set_version(kContentVersion);
  message.set_message_id(content.id.bytes.data(), content.id.bytes.size());
  message.set_timestamp_ms(content.timestamp_ms);
  if (const auto* text = std::get_if<TextBody>(&content.body)) {
    if (text->text.size() > kMaxTextSize) return make_error(Errc::invalid_argument, "text too long");
    auto view = text->text.expose();
    message.mutable_text()->mutable_text()->assign(reinterpret_cast<const char*>(view.data()), view.size());
  } else {
    const auto& receipt = std::get<Receipt>(content.body);
    if (receipt.message_ids.empty() || receipt.message_ids.size() > kMaxReceiptIds) {
      return make_error(Errc::invalid_argument, "receipt id count");
    }
    auto* r = message.mutable_receipt();
    r->set_kind(receipt.kind == Receipt::Kind::read ? pb::Receipt::READ : pb::Receipt::DELIVERED);
    for (const auto& id : receipt.message_ids) r->add_message_ids(id.bytes.data(), id.bytes.size());
  }
  return ok();
}

}  // namespace

Result<SecretBuffer> serialize(const Content& content) {
  pb::Content message;
  TextWiper wiper{message};
  HUSH_TRY(build(content, message));
  std::size_t size = message.ByteSizeLong();
  if (size > kMaxPaddedSize) return make_error(Errc::invalid_argument, "content too long");
  SecretBuffer out(size);
  if (size > 0 && !message.SerializeToArray(out.expose_mut().data(), static_cast<int>(size))) {
    return make_error(Errc::invalid_argument, "content serialization");
  }
  return out;
}

Result<SecretBuffer> encode(const Content& content) {
  pb::Content message;
  TextWiper wiper{message};
  HUSH_TRY(build(content, message));
  // Serialize straight into the padded buffer: no unwiped intermediate copy.
  std::size_t size = message.ByteSizeLong();
  if (size >= kMaxPaddedSize || padded_size(size) > kMaxPaddedSize) {
    return make_error(Errc::invalid_argument, "content too long to pad");
  }
  SecretBuffer out(padded_size(size));  // zero-filled
  auto o = out.expose_mut();
  if (!message.SerializeToArray(o.data(), static_cast<int>(size))) {
    return make_error(Errc::invalid_argument, "content serialization");
  }
  o[size] = kPaddingMarker;
  return out;
}

Result<Content> decode(ByteView padded) {
  HUSH_TRY_ASSIGN(auto bytes, unpad(padded));
  return parse(bytes.expose());
}

Result<Content> parse(ByteView view) {
  pb::Content message;
  TextWiper wiper{message};
  if (!message.ParseFromArray(view.data(), static_cast<int>(view.size()))) {
    return make_error(Errc::decode_error, "content protobuf");
  }
  if (message.version() != kContentVersion) return make_error(Errc::unsupported_version, "content version");
  HUSH_TRY_ASSIGN(auto id, MessageId::from(as_bytes(message.message_id())));
  Content out{id, message.timestamp_ms(), TextBody{}};
  switch (message.body_case()) {
    case pb::Content::kText: {
      const std::string& text = message.text().text();
      if (text.size() > kMaxTextSize) return make_error(Errc::invalid_message, "text too long");
      out.body = TextBody{SecretBuffer(as_bytes(text))};
      break;
    }
    case pb::Content::kReceipt: {
      HUSH_TRY_ASSIGN(auto receipt, receipt_from(message.receipt()));
      out.body = std::move(receipt);
      break;
    }
    case pb::Content::kControl:
      return make_error(Errc::unsupported_version, "control messages are not supported yet");
    case pb::Content::BODY_NOT_SET:
      return make_error(Errc::invalid_message, "content without a body");
  }
  return out;
}

}  // namespace hush::client::content
