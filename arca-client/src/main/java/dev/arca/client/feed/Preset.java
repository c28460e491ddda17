package dev.arca.client.feed;

import java.util.Locale;

/**
 * The workloads of MLPerf Storage, from the DLIO configs ({@code unet3d_h100.yaml} and friends):
 * sample size, batch size, emulated compute time per batch, reader threads, and the AU a run must
 * reach to pass.
 */
public enum Preset {

    /** 3D U-Net on H100: 146.6 MB .npz files, 7 per batch, 0.323 s per step (3.18 GB/s per accelerator). */
    UNET3D_H100("unet3d-h100", "unet3d", Format.FILES, 146_600_628L, 7, 0.323, 4, 0.90, 168),
    /** 3D U-Net on A100: as H100 with 0.636 s per step. */
    UNET3D_A100("unet3d-a100", "unet3d", Format.FILES, 146_600_628L, 7, 0.636, 4, 0.90, 168),
    /** ResNet-50 on H100: 114.7 KB records in shards of 1251, 400 per batch, 0.224 s per step. */
    RESNET50_H100("resnet50-h100", "resnet50", Format.TAR_SHARDS, 114_660L, 400, 0.224, 8, 0.90, 1_281_167),
    /** CosmoFlow on H100: 2.8 MB records, 1 per batch, 3.5 ms per step; passes at 70 % AU. */
    COSMOFLOW_H100("cosmoflow-h100", "cosmoflow", Format.FILES, 2_828_486L, 1, 0.0035, 4, 0.70, 524_288);

    /** How samples are stored. */
    public enum Format {
        /** One object per sample, read whole (map-style dataset). */
        FILES,
        /** Tar shards of records, streamed (WebDataset / TFRecord-like). */
        TAR_SHARDS
    }

    /** Records per shard for {@link Format#TAR_SHARDS}: DLIO's {@code num_samples_per_file} for ResNet-50. */
    public static final int RECORDS_PER_SHARD = 1251;

    private final String label;
    private final String family;
    private final Format format;
    private final long sampleBytes;
    private final int batch;
    private final double computeSeconds;
    private final int readThreads;
    private final double auThreshold;
    private final int dlioSamples;

    Preset(String label, String family, Format format, long sampleBytes, int batch, double computeSeconds,
            int readThreads, double auThreshold, int dlioSamples) {
        this.label = label;
        this.family = family;
        this.format = format;
        this.sampleBytes = sampleBytes;
        this.batch = batch;
        this.computeSeconds = computeSeconds;
        this.readThreads = readThreads;
        this.auThreshold = auThreshold;
        this.dlioSamples = dlioSamples;
    }

    /** The command-line name, e.g. {@code unet3d-h100}. */
    public String label() {
        return label;
    }

    /** The workload family, shared by presets that read the same dataset. */
    public String family() {
        return family;
    }

    public Format format() {
        return format;
    }

    /** Bytes per sample at scale 1. */
    public long sampleBytes() {
        return sampleBytes;
    }

    /** Samples per batch. */
    public int batch() {
        return batch;
    }

    /** Emulated compute seconds per batch at scale 1. */
    public double computeSeconds() {
        return computeSeconds;
    }

    /** DLIO's {@code read_threads}: loader threads per accelerator. */
    public int readThreads() {
        return readThreads;
    }

    /** The AU a run must reach to pass. */
    public double auThreshold() {
        return auThreshold;
    }

    /** Samples in DLIO's training set (far more than a loopback test wants to write). */
    public int dlioSamples() {
        return dlioSamples;
    }

    /** Bytes per second one accelerator consumes at AU 1 (scale-independent). */
    public double bytesPerSecondPerAccelerator() {
        return sampleBytes * batch / computeSeconds;
    }

    /** The preset with this label (case-insensitive), or null. */
    public static Preset byLabel(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        for (Preset p : values()) {
            if (p.label.equals(l)) {
                return p;
            }
        }
        return null;
    }

    /** All labels, comma-separated, for usage messages. */
    public static String labels() {
        StringBuilder sb = new StringBuilder();
        for (Preset p : values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(p.label);
        }
        return sb.toString();
    }
}
