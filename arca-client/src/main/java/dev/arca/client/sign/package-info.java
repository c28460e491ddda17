/** AWS Signature Version 4 request signing, header form, as S3 uses it. */
package dev.arca.client.sign;
