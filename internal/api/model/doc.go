// Package model validates AWS JSON requests the way AWS does, using the
// botocore service models as the contract. Query-protocol requests (IAM,
// STS) are validated the same way once the api package has read their form
// into the JSON shape; their messages have the same format.
//
// The tables (zz_*_shapes.go) are generated from the botocore models
// installed with Python by ./gen; they hold the input shapes, with no
// documentation text. For a service of the AWS query protocol (IAM, STS)
// they also hold the output shapes and the names a form and an XML response
// use (Service.Output, Member.LocationName, Shape.ListMemberName and the
// rest); nothing validates outputs, so shapes only outputs reach carry no
// constraints. Adding a service is one go:generate line at the end of this
// comment (and one entry in the tests' services list).
//
// # The message
//
// Validate returns a *ValidationError whose Message is AWS's text:
//
//	1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512
//	2 validation errors detected: Value '0' at 'maxResults' failed to satisfy constraint: ...; Value 'up' at 'sortOrder' failed to satisfy constraint: ...
//
// These rules were established from AWS responses quoted in public sources
// (each test case names its own):
//
//   - "1 validation error detected: " or "N validation errors detected: ",
//     then the violations joined by "; ". At most ten are listed, and then
//     N is 10 (mhart/kinesalite PutRecords and mhart/dynalite CreateTable
//     tests, copied from Kinesis and DynamoDB).
//   - Each violation is "Value '<value>' at '<path>' failed to satisfy
//     constraint: <constraint>".
//   - The path uses member names with only the first letter lowercased
//     ('secretId', 'aWSAccountId' in SNS, 'sAMLOptions' in OpenSearch),
//     joined by dots; the N-th list element is '<list>.N.member', from 1
//     ('filters.1.member.key' in getmoto/moto#3173 from a real ListSecrets,
//     'records.1.member.partitionKey' in kinesalite).
//   - A missing or null required member is "Value null at 'secretId' failed
//     to satisfy constraint: Member must not be null" (real Secrets Manager).
//   - A sensitive value is never shown: "Value at 'secretString' ..." (real
//     Secrets Manager, also 'secretBinary', and KMS 'plaintext'); even a
//     missing sensitive member has no "null" ("Value at 'username' ...
//     Member must not be null", Cognito).
//   - Constraints: "Member must have length less than or equal to N" and
//     "greater than or equal to N" for strings, blobs, lists and maps;
//     "Member must have value less than or equal to N" and "greater than or
//     equal to N" for numbers; "Member must satisfy regular expression
//     pattern: P" with the model's pattern verbatim; "Member must satisfy
//     enum value set: [a, b]".
//   - Values print as Java does: numbers in decimal ('0'), a list of strings
//     as '[a, b]' (real SSM), a blob as 'java.nio.HeapByteBuffer[pos=0
//     lim=N cap=N]' (real Rekognition, Kinesis), a map as '{k=v}'
//     (QuickSight). A value holding a structure prints as a Java object
//     identity ('...Evaluation@27de0032', real Config) that cannot be
//     reproduced, so it is left out like a sensitive one.
//   - Map keys and values are reported once for the map: "Map keys must
//     satisfy constraint: [...]" and "Map value must satisfy constraint:
//     [...]", listing all of the key or value shape's constraints, maximum
//     first (QuickSight, CodePipeline).
//
// # Checks
//
//   - A pattern must match the whole value, as Java's Matcher.matches():
//     real DynamoDB rejects '"smart-dcb-messages"' for [a-zA-Z0-9_.-]+
//     (aws/aws-cli#790), which a search would accept. The Smithy spec says
//     @pattern is not anchored; the services predate it, and ScheduleExpression's
//     [0-9A-Za-z\(\)#\?\*\-\/, ]+ only means something anchored. Patterns are
//     translated from java.util.regex to RE2 by the generator, and tested
//     against Java's own verdicts (patterns_internal_test.go).
//   - A string's length is in UTF-16 code units, Java's String.length()
//     (the Smithy spec counts scalar values; they differ outside the BMP).
//     A blob's length is its decoded size in bytes.
//   - Integers and longs accept a fraction and drop it: MaxResults 1.5 is 1
//     (measured on Athena, an AWS JSON 1.1 service).
//   - A null member is absent, and members the model lacks are ignored
//     (Athena).
//
// # Order, and what is not known
//
// Violations are listed depth first: members in the model's order, a list's
// own size before its elements (floci measured Cognito: "<length>; <enum at
// .2.>"), and for one value its length, then its pattern, then its enum
// (the order of AWS's "Map keys must satisfy constraint: [...]" lists, and
// of Cognito's password errors). AWS's own order between members does not
// follow the botocore model's order, nor any rule we could derive from it
// (recorded messages from SWF, EMR, SNS, DynamoDB, Cognito and Kinesis
// disagree with declaration order, its reverse, and Java hash order), so
// with several violations the count and each violation are exact and their
// order may differ from AWS's.
//
// AWS prints an enum set in its own order, which is not always the model's
// (Secrets Manager's filter keys were [all, name, tag-key, description,
// tag-value] in 2020). Known orders are recorded in the generator
// (enumOrders); the others use the model's order.
//
// # Serialization errors
//
// A value of the wrong JSON type is not a validation error: AWS fails to
// read the body first and answers 400 SerializationException with the text
// under "Message" (capital M), before checking any constraint. Validate
// returns a *SerializationError for the first one it meets. The wording was
// measured on Athena in 2026: "STRING_VALUE can not be converted to an
// Integer", "NUMBER_VALUE can not be converted to a String", "TRUE_VALUE
// ...", "Start of list found where not expected", "Start of structure or map
// found where not expected.", "Expected list or null", "Expected null";
// "Expected map or null" and the base64 reasons ("'23456' can not be
// converted to a Blob: Base64 encoded length is expected a multiple of 4
// bytes but found: 5") are from kinesalite. The article for types Athena
// does not have ("a Long", "a Boolean", "a Blob") is ours, and a sensitive
// blob that is not base64 gives "STRING_VALUE can not be converted to a
// Blob" without echoing its text.
//
//go:generate go run ./gen -service secretsmanager/2017-10-17
//go:generate go run ./gen -service kms/2014-11-01
//go:generate go run ./gen -service iam/2010-05-08
//go:generate go run ./gen -service sts/2011-06-15
package model
