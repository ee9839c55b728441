"""boto3 against the Strata S3 gateway: objects, listing, multipart, presign, batch delete."""
import hashlib
import sys
import urllib.request

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                retries={"max_attempts": 1}))

def step(name):
    print("step", name, flush=True)


step("objects")
s3.create_bucket(Bucket="boto-bucket")
s3.put_object(Bucket="boto-bucket", Key="hello.txt", Body=b"hello world", Metadata={"k": "v"})
obj = s3.get_object(Bucket="boto-bucket", Key="hello.txt")
assert obj["Body"].read() == b"hello world"
assert obj["Metadata"] == {"k": "v"}, obj["Metadata"]
assert obj["ETag"] == '"%s"' % hashlib.md5(b"hello world").hexdigest()

step("listing")
for i in range(25):
    s3.put_object(Bucket="boto-bucket", Key="many/%03d" % i, Body=b"x" * i)
keys, token = [], None
while True:
    kw = {"Bucket": "boto-bucket", "Prefix": "many/", "MaxKeys": 10}
    if token:
        kw["ContinuationToken"] = token
    page = s3.list_objects_v2(**kw)
    keys += [c["Key"] for c in page.get("Contents", [])]
    if not page["IsTruncated"]:
        break
    token = page["NextContinuationToken"]
assert keys == ["many/%03d" % i for i in range(25)], keys

step("multipart")
part = b"p" * (5 << 20)
up = s3.create_multipart_upload(Bucket="boto-bucket", Key="mp.bin", ContentType="application/x-test")
uid = up["UploadId"]
assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="boto-bucket")["Uploads"]] == [uid]
e1 = s3.upload_part(Bucket="boto-bucket", Key="mp.bin", UploadId=uid, PartNumber=1, Body=part)["ETag"]
e2 = s3.upload_part(Bucket="boto-bucket", Key="mp.bin", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
parts = s3.list_parts(Bucket="boto-bucket", Key="mp.bin", UploadId=uid)["Parts"]
assert [p["PartNumber"] for p in parts] == [1, 2]
try:
    s3.complete_multipart_upload(Bucket="boto-bucket", Key="mp.bin", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    raise SystemExit("out-of-order parts accepted")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidPartOrder", e.response
done = s3.complete_multipart_upload(Bucket="boto-bucket", Key="mp.bin", UploadId=uid,
                                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
md5s = hashlib.md5(hashlib.md5(part).digest() + hashlib.md5(b"tail").digest()).hexdigest()
assert done["ETag"] == '"%s-2"' % md5s, done["ETag"]
body = s3.get_object(Bucket="boto-bucket", Key="mp.bin", Range="bytes=5242878-5242881")["Body"].read()
assert body == b"ppta", body
assert s3.head_object(Bucket="boto-bucket", Key="mp.bin")["ContentType"] == "application/x-test"

step("abort")
aborted = s3.create_multipart_upload(Bucket="boto-bucket", Key="gone.bin")["UploadId"]
s3.upload_part(Bucket="boto-bucket", Key="gone.bin", UploadId=aborted, PartNumber=1, Body=b"zzz")
s3.abort_multipart_upload(Bucket="boto-bucket", Key="gone.bin", UploadId=aborted)
try:
    s3.list_parts(Bucket="boto-bucket", Key="gone.bin", UploadId=aborted)
    raise SystemExit("aborted upload still listed")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchUpload", e.response

step("presign")
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-bucket", "Key": "hello.txt"}, ExpiresIn=60)
assert urllib.request.urlopen(url).read() == b"hello world"
put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto-bucket", "Key": "presigned-put"}, ExpiresIn=60)
urllib.request.urlopen(urllib.request.Request(put_url, data=b"via presigned put", method="PUT")).read()
assert s3.get_object(Bucket="boto-bucket", Key="presigned-put")["Body"].read() == b"via presigned put"

step("versioning")
s3.create_bucket(Bucket="boto-versions")
s3.put_bucket_versioning(Bucket="boto-versions", VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket="boto-versions")["Status"] == "Enabled"
v1 = s3.put_object(Bucket="boto-versions", Key="doc", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket="boto-versions", Key="doc", Body=b"two")["VersionId"]
assert v1 != v2 and v1 != "null"
assert s3.get_object(Bucket="boto-versions", Key="doc", VersionId=v1)["Body"].read() == b"one"
dm = s3.delete_object(Bucket="boto-versions", Key="doc")
assert dm["DeleteMarker"] is True
listed = s3.list_object_versions(Bucket="boto-versions")
assert [v["VersionId"] for v in listed["Versions"]] == [v2, v1], listed
assert listed["DeleteMarkers"][0]["IsLatest"] is True
try:
    s3.head_object(Bucket="boto-versions", Key="doc")
    raise SystemExit("delete marker did not hide the object")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "404", e.response
s3.delete_object(Bucket="boto-versions", Key="doc", VersionId=dm["VersionId"])
assert s3.get_object(Bucket="boto-versions", Key="doc")["Body"].read() == b"two"
s3.put_bucket_versioning(Bucket="boto-versions", VersioningConfiguration={"Status": "Suspended"})
assert s3.put_object(Bucket="boto-versions", Key="doc", Body=b"null")["VersionId"] == "null"
versions = s3.list_object_versions(Bucket="boto-versions")["Versions"]
s3.delete_objects(Bucket="boto-versions", Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]})
assert "Versions" not in s3.list_object_versions(Bucket="boto-versions")
s3.delete_bucket(Bucket="boto-versions")

step("tagging, conditions, copy")
s3.put_object(Bucket="boto-bucket", Key="tagged", Body=b"t", Tagging="a=1&b=2", ContentDisposition="inline")
assert {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket="boto-bucket", Key="tagged")["TagSet"]} == {"a": "1", "b": "2"}
got = s3.get_object(Bucket="boto-bucket", Key="tagged", ResponseContentType="text/x-boto")
assert got["ContentType"] == "text/x-boto" and got["ContentDisposition"] == "inline"
etag = got["ETag"]
try:
    s3.get_object(Bucket="boto-bucket", Key="tagged", IfNoneMatch=etag)
    raise SystemExit("If-None-Match ignored")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "304", e.response
s3.copy_object(Bucket="boto-bucket", Key="tagged-copy", CopySource={"Bucket": "boto-bucket", "Key": "tagged"},
               CopySourceIfMatch=etag)
assert s3.get_object(Bucket="boto-bucket", Key="tagged-copy")["Body"].read() == b"t"

step("delete objects")
all_keys = [{"Key": c["Key"]} for c in s3.list_objects_v2(Bucket="boto-bucket")["Contents"]]
res = s3.delete_objects(Bucket="boto-bucket", Delete={"Objects": all_keys})
assert len(res["Deleted"]) == len(all_keys), res
assert s3.list_objects_v2(Bucket="boto-bucket")["KeyCount"] == 0
s3.delete_bucket(Bucket="boto-bucket")
print("BOTO3 OK")
